import { Migrator } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { Config, Effect, Layer, Redacted } from "effect"
import { ensureDatabaseExists } from "./CreateDatabase.js"
import createSchema from "./migrations/0001_create_schema.js"

export const DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/icash"

const DatabaseConfig = Config.all({
  url: Config.redacted("DATABASE_URL").pipe(Config.withDefault(Redacted.make(DEFAULT_DATABASE_URL))),
  maxConnections: Config.integer("PG_POOL_MAX").pipe(Config.withDefault(10)),
  applicationName: Config.string("OTEL_SERVICE_NAME").pipe(Config.withDefault("icash"))
})

/**
 * The PostgreSQL connection pool, configured from `DATABASE_URL` and `PG_POOL_MAX`. The database
 * itself is created on the first start when its server does not have it yet.
 */
export const PgLive = Layer.unwrapEffect(
  Effect.gen(function*() {
    const config = yield* DatabaseConfig
    yield* ensureDatabaseExists(config.url)
    return PgClient.layer(config)
  })
)

/** Forward-only migrations, in order. Keys are `<id>_<name>`. */
export const migrations = Migrator.fromRecord({
  "0001_create_schema": createSchema
})

/**
 * Brings the schema up to date. Safe to run from several processes at once: the migrator takes a
 * table lock, and the loser waits and finds nothing left to do.
 */
export const migrate = Migrator.make({})({ loader: migrations }).pipe(
  Effect.tap((applied) =>
    applied.length === 0
      ? Effect.logDebug("database schema is up to date")
      : Effect.logInfo("migrations applied").pipe(
        Effect.annotateLogs("migrations", applied.map(([id, name]) => `${id}_${name}`).join(", "))
      )
  ),
  Effect.withSpan("Database.migrate")
)

export const MigrationsLive = Layer.effectDiscard(migrate)

/** A migrated PostgreSQL database: what every service and the seed run on. */
export const DatabaseLive = MigrationsLive.pipe(Layer.provideMerge(PgLive))

