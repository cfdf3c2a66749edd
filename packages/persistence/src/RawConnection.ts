import { SqlClient } from "@effect/sql"
import type { PGlite } from "@electric-sql/pglite"
import { Context, Effect, Layer, Option } from "effect"
import type pg from "pg"

/**
 * The embedded database's PGlite instance, when the database is the embedded one (see
 * `embeddedPgClient`, which provides it); none on a PostgreSQL server.
 */
export class EmbeddedPGlite extends Context.Reference<EmbeddedPGlite>()("persistence/EmbeddedPGlite", {
  defaultValue: (): Option.Option<PGlite> => Option.none()
}) {}

export const embeddedPGliteLive = (db: PGlite) => Layer.succeed(EmbeddedPGlite, Option.some(db))

/**
 * The driver under the current transaction, for what the SqlClient cannot do (COPY FROM a stream):
 * - on a server, node-postgres's client holding the transaction's connection;
 * - embedded, the PGlite instance. It is a single session, held by the transaction: a query sent
 *   straight to it runs inside the transaction.
 */
export type RawConnection =
  | { readonly _tag: "Server"; readonly client: pg.ClientBase }
  | { readonly _tag: "Embedded"; readonly pglite: PGlite }

// @effect/sql-pg's connection keeps its node-postgres client in a public field its Connection
// interface does not name (@effect/sql-pg 0.53, PgClient.ts, ConnectionImpl).
const clientOf = (connection: unknown): pg.ClientBase | undefined =>
  (connection as { readonly pg?: pg.ClientBase } | undefined)?.pg

/** The raw driver of the transaction this runs in; a defect outside of `sql.withTransaction`. */
export const rawConnection: Effect.Effect<RawConnection> = Effect.gen(function*() {
  const transaction = yield* Effect.serviceOption(SqlClient.TransactionConnection)
  const client = Option.getOrUndefined(Option.map(transaction, ([connection]) => clientOf(connection)))
  if (client === undefined) {
    return yield* Effect.dieMessage("rawConnection: needs a transaction of an @effect/sql-pg client")
  }
  const pglite = yield* EmbeddedPGlite
  return Option.isSome(pglite)
    ? { _tag: "Embedded", pglite: pglite.value } as const
    : { _tag: "Server", client } as const
})
