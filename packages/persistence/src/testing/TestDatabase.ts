import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { Context, Effect, Layer, Redacted } from "effect"
import { randomBytes } from "node:crypto"
import { migrate } from "../Database.js"

/** The server tests create their databases on: `TEST_DATABASE_URL`, or the local PostgreSQL. */
export const testServerUrl = (): URL =>
  new URL(process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres")

/** Creates a fresh, empty database and drops it (closing any connection left) when the scope closes. */
export const scopedTestDatabase = Effect.gen(function*() {
  const server = testServerUrl()
  const name = `icash_test_${process.pid}_${randomBytes(4).toString("hex")}`
  const admin = yield* Layer.build(PgClient.layer({ url: Redacted.make(server.href), maxConnections: 1 })).pipe(
    Effect.map(Context.get(SqlClient.SqlClient))
  )
  yield* Effect.acquireRelease(
    admin.unsafe(`CREATE DATABASE "${name}"`),
    () => admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).pipe(Effect.orDie)
  )
  const url = new URL(server.href)
  url.pathname = `/${name}`
  return { name, url: url.href }
})

/** A PgClient on a fresh database of its own, migrated, dropped afterwards. */
export const TestDatabaseLive = Layer.unwrapScoped(
  Effect.map(scopedTestDatabase, ({ url }) =>
    Layer.effectDiscard(migrate).pipe(Layer.provideMerge(PgClient.layer({ url: Redacted.make(url) }))))
)
