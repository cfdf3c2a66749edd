import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { DatabaseLive } from "@icash/persistence"
import { testEngines, testServerUrl } from "@icash/persistence/testing"
import { ConfigProvider, Effect, Layer } from "effect"
import { randomBytes } from "node:crypto"
import pg from "pg"

const onPostgres = (await testEngines()).some((engine) => engine.name === "PostgreSQL")

const dropDatabase = (name: string) =>
  Effect.promise(async () => {
    const admin = new pg.Client({ connectionString: testServerUrl().href })
    await admin.connect()
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    await admin.end()
  })

describe.runIf(onPostgres)("a first start on a PostgreSQL server", () => {
  it.scopedLive("creates the database DATABASE_URL names, migrates it, and finds it there the next time", () =>
    Effect.gen(function*() {
      const name = `icash_new_${randomBytes(4).toString("hex")}`
      yield* Effect.addFinalizer(() => dropDatabase(name))
      const warnings: Array<string> = []
      const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`)
      process.on("warning", onWarning)
      yield* Effect.addFinalizer(() => Effect.sync(() => process.off("warning", onWarning)))
      const url = new URL(testServerUrl().href)
      url.pathname = `/${name}`
      const start = Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const [row] = yield* sql<{ readonly tables: number; readonly jit: string }>`
          SELECT count(*)::int AS tables, current_setting('jit') AS jit FROM information_schema.tables
          WHERE table_schema = 'public' AND table_name IN ('branches', 'products', 'customers', 'purchases', 'purchase_items')`
        return row!
      }).pipe(
        Effect.provide(DatabaseLive.pipe(
          Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["DATABASE_URL", url.href]]))))
        ))
      )
      // and its connections never compile a statement just in time (see PgLive)
      expect(yield* start).toEqual({ tables: 5, jit: "off" })
      expect(yield* start).toEqual({ tables: 5, jit: "off" })
      // set before the pool hands a connection out, not beside its first query (which node-postgres
      // warns of, on the process's stderr)
      yield* Effect.sleep("10 millis")
      expect(warnings).toEqual([])
    }))
})
