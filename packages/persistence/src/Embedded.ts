import { SqlError } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { Console, Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import pg from "pg"
import { lockDataDir } from "./DataDirLock.js"
import { embeddedNotifications } from "./Notifications.js"
import { trackPoolUsage } from "./PoolMetrics.js"
import { embeddedPGliteLive } from "./RawConnection.js"

const loadPGlite = async () => {
  const [{ PGlite }, { createPgConfig }] = await Promise.all([
    import("@electric-sql/pglite"),
    import("@electric-sql/pglite/node-postgres")
  ])
  return { PGlite, createPgConfig }
}

/**
 * PostgreSQL compiled to WebAssembly, inside this process: `dataDir` is a directory (created on the
 * first start), or `memory://` for a database that lives as long as the scope. Served through
 * PGlite's node-postgres shim, so the PgClient, the migrations and every repository run unchanged;
 * its LISTEN goes through PGlite's own API.
 */
export const embeddedPgClient = (dataDir: string) =>
  Layer.unwrapScoped(
    Effect.gen(function*() {
      const inMemory = dataDir.startsWith("memory://")
      const storage = inMemory ? dataDir : path.join(dataDir, "pglite")
      if (!inMemory) {
        yield* lockDataDir(dataDir)
        if (!fs.existsSync(storage)) {
          yield* Console.log(`Creating the embedded database in ${storage} (first start only)...`)
        }
      }
      // PGlite is loaded here, not at start: a service on a PostgreSQL server never needs it
      const { createPgConfig, PGlite } = yield* Effect.promise(loadPGlite)
      const db = yield* Effect.acquireRelease(
        Effect.tryPromise({
          try: () => PGlite.create(storage),
          catch: (cause) => new SqlError.SqlError({ cause, message: `could not open the embedded database ${storage}` })
        }),
        // closing checkpoints the database: nothing acknowledged is lost
        (db) => Effect.promise(() => db.close())
      )
      const client = PgClient.layerFromPool({
        acquire: Effect.acquireRelease(
          Effect.sync(() => new pg.Pool(createPgConfig(db))),
          (pool) => Effect.promise(() => pool.end())
        ).pipe(Effect.tap(trackPoolUsage)),
        applicationName: "icash-embedded"
      })
      return Layer.mergeAll(
        embeddedNotifications(db),
        // for a bulk import's COPY, which goes to PGlite itself (see RawConnection)
        embeddedPGliteLive(db)
      ).pipe(Layer.provideMerge(client))
    })
  )
