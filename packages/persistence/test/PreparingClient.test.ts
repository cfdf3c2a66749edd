import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { DatabaseLive } from "@icash/persistence"
import { scopedTestDatabase, testEngines } from "@icash/persistence/testing"
import { ConfigProvider, Effect, Exit, Layer } from "effect"

const onPostgres = (await testEngines()).some((engine) => engine.name === "PostgreSQL")

/** The program on a fresh PostgreSQL database through iCash's own pool, of one connection. */
const onOneConnection = <A, E>(
  program: Effect.Effect<A, E, SqlClient.SqlClient>,
  settings: Record<string, string> = {}
) =>
  Effect.gen(function*() {
    const { url } = yield* scopedTestDatabase
    const config = new Map([["DATABASE_URL", url], ["PG_POOL_MAX", "1"], ...Object.entries(settings)])
    return yield* program.pipe(
      Effect.provide(DatabaseLive.pipe(Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(config)))))
    )
  })

const preparedStatements = Effect.flatMap(
  SqlClient.SqlClient,
  (sql) => sql<{ readonly statement: string }>`SELECT statement FROM pg_prepared_statements ORDER BY statement`
)

const branchName = (id: number) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql<{ readonly name: string }>`SELECT * FROM branches WHERE id = ${id}`)

describe.runIf(onPostgres)("statements run again and again on a PostgreSQL server", () => {
  it.scopedLive("are prepared on their connection from their second run, with the same answers", () =>
    Effect.gen(function*() {
      const found = yield* onOneConnection(Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* sql`INSERT INTO branches (code, name) VALUES ('B1', 'Central'), ('B2', 'Harbour')`
        const once = yield* sql`SELECT name FROM branches WHERE code = ${"B1"}`
        const preparedAfterOne = yield* preparedStatements
        const answers = [yield* branchName(1), yield* branchName(2), yield* branchName(1)]
        return { once, preparedAfterOne, answers, prepared: yield* preparedStatements }
      }))
      expect(found.once).toEqual([{ name: "Central" }])
      expect(found.preparedAfterOne).toEqual([])
      expect(found.answers.map((rows) => rows.map((row) => row.name))).toEqual([["Central"], ["Harbour"], ["Central"]])
      expect(found.prepared.map((row) => row.statement)).toEqual(["SELECT * FROM branches WHERE id = $1"])
    }))

  it.scopedLive("are prepared afresh after a migration changed their result's columns", () =>
    Effect.gen(function*() {
      const found = yield* onOneConnection(Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* sql`INSERT INTO branches (code, name) VALUES ('B1', 'Central')`
        yield* branchName(1)
        yield* branchName(1)
        yield* sql`ALTER TABLE branches ADD COLUMN city text NOT NULL DEFAULT 'Lyon'`
        const stale = yield* Effect.exit(branchName(1))
        return { stale, after: yield* branchName(1) }
      }))
      // the one run that met the old plan fails (PostgreSQL's own error); the next is answered
      expect(Exit.isFailure(found.stale)).toBe(true)
      expect(found.after).toEqual([expect.objectContaining({ name: "Central", city: "Lyon" })])
    }))

  it.scopedLive("are sent unnamed with PG_PREPARE_STATEMENTS=false", () =>
    Effect.gen(function*() {
      const prepared = yield* onOneConnection(
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          yield* sql`INSERT INTO branches (code, name) VALUES ('B1', 'Central')`
          for (let run = 0; run < 3; run++) yield* branchName(1)
          return yield* preparedStatements
        }),
        { PG_PREPARE_STATEMENTS: "false" }
      )
      expect(prepared).toEqual([])
    }))
})
