import { SqlClient } from "@effect/sql"
import type { PGlite } from "@electric-sql/pglite"
import { Context, Effect, Layer, Schedule, Stream } from "effect"
import pg from "pg"

/**
 * What a `listen` stream carries: `Listening` each time it has (re)started listening, after which
 * anything may have changed unseen (consumers resynchronise), then `Notified` for notifications.
 * What arrives while the consumer is busy is kept as one element, the latest: every consumer
 * reads again whatever changed, so a burst of commits costs it one read, and each notification
 * costs the process no more than a replaced buffer slot (Store Analytics receives one per group of
 * purchases written).
 */
export type Notification =
  | { readonly _tag: "Listening" }
  | { readonly _tag: "Notified"; readonly payload: string }

const listening: Notification = { _tag: "Listening" }

/** What a listen stream keeps while its consumer is busy: the latest element only. */
const latestOnly = { bufferSize: 1, strategy: "sliding" } as const

/**
 * The database's LISTEN/NOTIFY. A `listen` stream never fails: when its connection is lost it
 * reconnects by itself (backing off up to two seconds) and says `Listening` again.
 */
export class Notifications extends Context.Tag("persistence/Notifications")<Notifications, {
  readonly listen: (channel: string) => Stream.Stream<Notification>
}>() {}

const reconnecting = (channel: string) => <E>(stream: Stream.Stream<Notification, E>) =>
  stream.pipe(
    Stream.tapError((error) =>
      Effect.logWarning(`lost the database connection listening on ${channel}; reconnecting`).pipe(
        Effect.annotateLogs("error", String(error))
      )
    ),
    Stream.retry(Schedule.exponential("100 millis").pipe(Schedule.either(Schedule.spaced("2 seconds")))),
    // the schedule never ends: no failure gets past it
    Stream.orDie
  )

class ListenFailed extends Error {}

/** LISTEN on a connection of its own to a PostgreSQL server (not one of the pool's). */
export const serverNotifications = (config: pg.ClientConfig) =>
  Layer.succeed(Notifications, {
    listen: (channel) =>
      Stream.asyncPush<Notification, ListenFailed>((emit) =>
        Effect.gen(function*() {
          const client = yield* Effect.acquireRelease(
            Effect.sync(() => new pg.Client(config)),
            (client) => Effect.promise(() => client.end().catch(() => undefined))
          )
          client.on("error", (error) => emit.fail(new ListenFailed(error.message)))
          client.on("end", () => emit.fail(new ListenFailed("connection closed")))
          client.on("notification", (message) => {
            if (message.channel === channel) emit.single({ _tag: "Notified", payload: message.payload ?? "" })
          })
          yield* Effect.tryPromise({
            try: async () => {
              await client.connect()
              await client.query(`LISTEN ${client.escapeIdentifier(channel)}`)
            },
            catch: (cause) => new ListenFailed(String(cause))
          })
          emit.single(listening)
        }), latestOnly).pipe(reconnecting(channel))
  })

/**
 * LISTEN inside the embedded PostgreSQL, through PGlite's own API (its node-postgres shim cannot).
 * PGlite has one session, which the shim's only connection also speaks to: LISTEN and UNLISTEN
 * are sent while that connection is held, so that they never land inside one of its statements
 * (they would wedge both).
 */
export const embeddedNotifications = (db: PGlite) =>
  Layer.effect(
    Notifications,
    Effect.map(SqlClient.SqlClient, (sql) => {
      const whileConnectionHeld = <A>(run: () => Promise<A>) =>
        Effect.scoped(Effect.zipRight(Effect.orDie(sql.reserve), Effect.promise(run)))
      return {
        listen: (channel) =>
          Stream.asyncPush<Notification>((emit) =>
            Effect.gen(function*() {
              yield* Effect.acquireRelease(
                whileConnectionHeld(() => db.listen(channel, (payload) => emit.single({ _tag: "Notified", payload }))),
                (unlisten) => whileConnectionHeld(() => unlisten().catch(() => undefined))
              )
              emit.single(listening)
            }), latestOnly)
      }
    })
  )

/** For databases that never change behind the program's back (in-memory test data). */
export const NoNotificationsLive = Layer.succeed(Notifications, {
  listen: () => Stream.concat(Stream.make(listening), Stream.never)
})
