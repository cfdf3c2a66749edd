import { Migrator, type SqlClient, type SqlError } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { Config, type ConfigError, Effect, Layer, Option, Redacted, Runtime } from "effect"
import pg from "pg"
import { ensureDatabaseExists } from "./CreateDatabase.js"
import type { DataDirInUse } from "./DataDirLock.js"
import { embeddedPgClient } from "./Embedded.js"
import createSchema from "./migrations/0001_create_schema.js"
import catalogNotifications from "./migrations/0002_catalog_notifications.js"
import rollups from "./migrations/0003_rollups.js"
import idempotencyKeys from "./migrations/0004_idempotency_keys.js"
import apiKeys from "./migrations/0005_api_keys.js"
import rollupsAlways from "./migrations/0006_rollups_always.js"
import foldImportsOnce from "./migrations/0007_fold_imports_once.js"
import leanerPurchases from "./migrations/0008_leaner_purchases.js"
import storeGroupFunction from "./migrations/0009_store_group_function.js"
import hourlySales from "./migrations/0010_hourly_sales.js"
import { type Notifications, serverNotifications } from "./Notifications.js"
import { trackPoolUsage } from "./PoolMetrics.js"
import { PreparingClient } from "./PreparingClient.js"

/** Where the embedded database lives when no DATABASE_URL is set. */
export const DEFAULT_DATA_DIR = ".data"

const postgres = (url: Redacted.Redacted) =>
  Layer.unwrapEffect(
    Effect.gen(function*() {
      const maxConnections = yield* Config.integer("PG_POOL_MAX").pipe(Config.withDefault(10))
      // off behind a pooler that cannot keep a session's prepared statements (PgBouncer in
      // transaction mode before 1.21)
      const prepare = yield* Config.boolean("PG_PREPARE_STATEMENTS").pipe(Config.withDefault(true))
      const applicationName = Option.getOrElse(yield* Config.option(Config.string("OTEL_SERVICE_NAME")), () => "icash")
      yield* ensureDatabaseExists(url)
      const notifications = serverNotifications({
        connectionString: Redacted.value(url),
        application_name: `${applicationName}-listen`,
        connectionTimeoutMillis: 5000
      })
      return Layer.merge(
        notifications,
        PgClient.layerFromPool({
          acquire: Effect.acquireRelease(
            Effect.map(Effect.runtime<never>(), (runtime) => {
              const pool = new pg.Pool({
                ...(prepare ? { Client: PreparingClient } : {}),
                connectionString: Redacted.value(url),
                max: maxConnections,
                application_name: applicationName,
                // a database that cannot be reached fails a request within two seconds (a 503), never hangs it
                connectionTimeoutMillis: 2000,
                // Every statement of ours reads a few indexed rows or writes in bulk: compiling one with
                // LLVM costs milliseconds and never pays, yet the planner asks for it when a set-returning
                // function's default estimate (1,000 rows) inflates a plan's cost. Set on each new
                // connection before the pool hands it out (not as a startup option, which connection
                // poolers such as PgBouncer refuse); a server that has no such setting just refuses it.
                onConnect: (client) => client.query("SET jit = off").then(() => {}, () => {})
              })
              // An idle connection the server ends (a restart, pg_terminate_backend) is dropped from the
              // pool, which says so here; unheard, that event would crash the process.
              pool.on("error", (error) =>
                Runtime.runFork(runtime)(
                  Effect.logWarning("a database connection was lost; the pool opens a new one when needed").pipe(
                    Effect.annotateLogs("error", error.message)
                  )
                ))
              return pool
            }),
            (pool) => Effect.promise(() => pool.end())
          ).pipe(Effect.tap(trackPoolUsage)),
          applicationName
        })
      )
    })
  )

/**
 * The database every part of iCash runs on: the PostgreSQL server `DATABASE_URL` names (its
 * database is created on the first start when missing), or else the embedded PostgreSQL (PGlite)
 * in `DATA_DIR`, which one process at a time may open.
 */
export const PgLive = Layer.unwrapEffect(
  Effect.gen(function*() {
    const location = yield* databaseLocation
    const database: Layer.Layer<
      PgClient.PgClient | SqlClient.SqlClient | Notifications,
      SqlError.SqlError | DataDirInUse | ConfigError.ConfigError
    > = location._tag === "Server" ? postgres(location.url) : embeddedPgClient(location.dataDir)
    return database
  })
)

/** Which database the configuration names: a PostgreSQL server, or the embedded one in a directory. */
export const databaseLocation = Effect.gen(function*() {
  const url = (yield* Config.option(Config.string("DATABASE_URL"))).pipe(
    Option.map((url) => url.trim()),
    Option.filter((url) => url !== "")
  )
  if (Option.isSome(url)) return { _tag: "Server", url: Redacted.make(url.value) } as const
  const dataDir = yield* Config.string("DATA_DIR").pipe(Config.withDefault(DEFAULT_DATA_DIR))
  return { _tag: "Embedded", dataDir } as const
})

/** The database in words, without its password: for people reading the console. */
export const describeDatabase = Effect.map(databaseLocation, (location) => {
  if (location._tag === "Embedded") {
    return `embedded PostgreSQL in ${location.dataDir}/ (set DATABASE_URL to use a server)`
  }
  const url = new URL(Redacted.value(location.url))
  return `PostgreSQL ${url.hostname}:${url.port || 5432}${url.pathname}`
})

/** Forward-only migrations, in order. Keys are `<id>_<name>`. */
export const migrationsById = {
  "0001_create_schema": createSchema,
  "0002_catalog_notifications": catalogNotifications,
  "0003_rollups": rollups,
  "0004_idempotency_keys": idempotencyKeys,
  "0005_api_keys": apiKeys,
  "0006_rollups_always": rollupsAlways,
  "0007_fold_imports_once": foldImportsOnce,
  "0008_leaner_purchases": leanerPurchases,
  "0009_store_group_function": storeGroupFunction,
  "0010_hourly_sales": hourlySales
} as const

export const migrations = Migrator.fromRecord(migrationsById)

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
