import { SqlClient, type SqlError } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { Context, Effect, Layer, Redacted } from "effect"

const pgCode = (error: SqlError.SqlError): unknown => (error.cause as { code?: unknown } | undefined)?.code

/** A one-connection client on `url` for the scope's lifetime, for administrative statements. */
export const connectOnce = (url: string) =>
  Layer.build(PgClient.layer({ url: Redacted.make(url), maxConnections: 1 })).pipe(
    Effect.map(Context.get(SqlClient.SqlClient))
  )

/**
 * Creates the database `url` names when its server does not have it yet, so that a first start
 * on a fresh PostgreSQL needs no manual `createdb`. Any other connection problem is left to fail.
 */
export const ensureDatabaseExists = (url: Redacted.Redacted) =>
  Effect.gen(function*() {
    const exists = yield* connectOnce(Redacted.value(url)).pipe(
      Effect.as(true),
      Effect.catchIf((error) => pgCode(error) === "3D000", () => Effect.succeed(false)),
      Effect.scoped
    )
    if (exists) return
    const target = new URL(Redacted.value(url))
    const name = decodeURIComponent(target.pathname.slice(1))
    target.pathname = "/postgres"
    const admin = yield* connectOnce(target.href)
    yield* admin.unsafe(`CREATE DATABASE "${name.replaceAll("\"", "\"\"")}"`).pipe(
      // another process created it at the same moment
      Effect.catchIf((error) => pgCode(error) === "42P04", () => Effect.void)
    )
    yield* Effect.logInfo(`created database ${name}`)
  }).pipe(Effect.scoped, Effect.withSpan("Database.ensureExists"))
