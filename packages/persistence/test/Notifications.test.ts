import { SqlClient } from "@effect/sql"
import { expect, layer } from "@effect/vitest"
import { type Notification, Notifications } from "@icash/persistence"
import { testEngines } from "@icash/persistence/testing"
import { Deferred, Effect, Queue, Stream } from "effect"

const CHANNEL = "icash_test_burst"

for (const engine of await testEngines()) {
  layer(engine.database, { excludeTestServices: true, timeout: "60 seconds" })(
    `notifications on ${engine.name}`,
    (it) => {
      it.scoped("keep what arrives while the consumer is busy as one element, the latest", () =>
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          const notifications = yield* Notifications
          const received = yield* Queue.unbounded<Notification>()
          const released = yield* Deferred.make<void>()
          // the consumer stays busy with `Listening` until released
          yield* notifications.listen(CHANNEL).pipe(
            Stream.runForEach((notification) =>
              Effect.zipRight(
                Queue.offer(received, notification),
                notification._tag === "Listening" ? Deferred.await(released) : Effect.void
              )
            ),
            Effect.forkScoped
          )
          expect(yield* Queue.take(received)).toEqual({ _tag: "Listening" })

          for (let commit = 1; commit <= 20; commit++) yield* sql`SELECT pg_notify(${CHANNEL}, ${String(commit)})`
          yield* Effect.sleep("1 second")
          yield* Deferred.succeed(released, undefined)

          expect(yield* Queue.take(received)).toEqual({ _tag: "Notified", payload: "20" })
          yield* Effect.sleep("500 millis")
          expect(yield* Queue.takeAll(received)).toHaveLength(0)

          // and a later commit is announced again
          yield* sql`SELECT pg_notify(${CHANNEL}, 'later')`
          expect(yield* Queue.take(received).pipe(Effect.timeout("5 seconds"))).toEqual({
            _tag: "Notified",
            payload: "later"
          })
        }))
    }
  )
}
