import type { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { Effect, Layer, Redacted } from "effect"
import { randomBytes } from "node:crypto"
import pg from "pg"
import { connectOnce } from "../CreateDatabase.js"
import { migrate } from "../Database.js"
import { embeddedPgClient } from "../Embedded.js"
import { type Notifications, serverNotifications } from "../Notifications.js"

/** The server tests create their databases on: `TEST_DATABASE_URL`, or the local PostgreSQL. */
export const testServerUrl = (): URL =>
  new URL(process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres")

/** Creates a fresh, empty PostgreSQL database and drops it (closing any connection left) when the scope closes. */
export const scopedTestDatabase = Effect.gen(function*() {
  const server = testServerUrl()
  const name = `icash_test_${process.pid}_${randomBytes(4).toString("hex")}`
  const admin = yield* connectOnce(server.href)
  yield* Effect.acquireRelease(
    admin.unsafe(`CREATE DATABASE "${name}"`),
    () => admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).pipe(Effect.orDie)
  )
  const url = new URL(server.href)
  url.pathname = `/${name}`
  return { name, url: url.href }
})

type TestDatabase = Layer.Layer<PgClient.PgClient | SqlClient.SqlClient | Notifications, unknown>

/** A PgClient on a fresh PostgreSQL database of its own, migrated, dropped afterwards. */
export const PostgresTestDatabaseLive: TestDatabase = Layer.unwrapScoped(
  Effect.map(scopedTestDatabase, ({ url }) =>
    Layer.effectDiscard(migrate).pipe(
      Layer.provideMerge(PgClient.layer({ url: Redacted.make(url) })),
      Layer.merge(serverNotifications({ connectionString: url }))
    ))
)

/** A PgClient on a fresh embedded PostgreSQL (PGlite) in memory, migrated, gone afterwards. */
export const PGliteTestDatabaseLive: TestDatabase = Layer.effectDiscard(migrate).pipe(
  Layer.provideMerge(embeddedPgClient("memory://"))
)

export interface TestEngine {
  readonly name: "PGlite" | "PostgreSQL"
  /** A fresh, migrated database for one suite. */
  readonly database: TestDatabase
}

const postgresReachable = async () => {
  const client = new pg.Client({ connectionString: testServerUrl().href, connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    await client.query("SELECT 1")
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => undefined)
  }
}

/**
 * The engines a database suite runs on: PGlite always, PostgreSQL when it is reachable.
 * With `ICASH_TEST_POSTGRES=required` (CI), an unreachable PostgreSQL fails the run instead of
 * being skipped; with `ICASH_TEST_POSTGRES=off`, it is not tried.
 */
export const testEngines = async (): Promise<ReadonlyArray<TestEngine>> => {
  const pglite: TestEngine = { name: "PGlite", database: PGliteTestDatabaseLive }
  const postgres: TestEngine = { name: "PostgreSQL", database: PostgresTestDatabaseLive }
  const wanted = process.env.ICASH_TEST_POSTGRES ?? "auto"
  if (wanted === "off") return [pglite]
  if (await postgresReachable()) return [pglite, postgres]
  if (wanted === "required") {
    throw new Error(`ICASH_TEST_POSTGRES=required, but PostgreSQL is not reachable at ${testServerUrl().host}`)
  }
  return [pglite]
}
