import type { SqlError } from "@effect/sql"
import { PurchasesRepo, type PurchaseToStore, type StoredPurchase } from "@icash/persistence"
import { Chunk, Config, Deferred, Effect, Exit, FiberId, Queue, type Tracer } from "effect"

interface Pending {
  readonly purchase: PurchaseToStore
  readonly stored: Deferred.Deferred<StoredPurchase, SqlError.SqlError>
  readonly span: Tracer.AnySpan | undefined
}

/**
 * Group commit: purchases that arrive while the database is busy are stored together, in one
 * statement per group, and each caller gets its own purchase back once its group committed.
 * There is no waiting window: a writer takes whatever has queued up since it last wrote (up to
 * PURCHASE_GROUP_MAX), so a lone purchase is written at once and a rush forms large groups.
 * PURCHASE_WRITERS writers work at once, each on its own connection.
 * If a group's statement fails, its purchases are retried one by one, so one bad purchase fails
 * alone. Each group's span links to the trace of every purchase in it.
 */
export class GroupCommit extends Effect.Service<GroupCommit>()("cash-register/GroupCommit", {
  scoped: Effect.gen(function*() {
    const repo = yield* PurchasesRepo
    const maxGroupSize = yield* Config.integer("PURCHASE_GROUP_MAX").pipe(Config.withDefault(128))
    const writers = yield* Config.integer("PURCHASE_WRITERS").pipe(Config.withDefault(2))
    const queue = yield* Effect.acquireRelease(Queue.unbounded<Pending>(), Queue.shutdown)

    const write = (group: ReadonlyArray<Pending>) =>
      repo.insertGroup(group.map((pending) => pending.purchase)).pipe(
        Effect.withSpan("GroupCommit.write", {
          root: true,
          captureStackTrace: false,
          attributes: { "icash.group_size": group.length },
          links: group.flatMap((pending) =>
            pending.span === undefined ? [] : [{ _tag: "SpanLink", span: pending.span, attributes: {} }]
          )
        })
      )

    const storeAlone = (pending: Pending) =>
      Effect.flatMap(
        Effect.exit(Effect.map(write([pending]), (stored) => stored[0]!)),
        (exit) => Deferred.done(pending.stored, exit)
      )

    const writeGroup = (group: ReadonlyArray<Pending>) =>
      Effect.flatMap(Effect.exit(write(group)), (exit) =>
        Exit.isSuccess(exit)
          ? Effect.forEach(group, (pending, i) => Deferred.succeed(pending.stored, exit.value[i]!), { discard: true })
          : group.length === 1
          ? Deferred.failCause(group[0]!.stored, exit.cause)
          : Effect.forEach(group, storeAlone, { discard: true }))

    const writer = Queue.takeBetween(queue, 1, maxGroupSize).pipe(
      Effect.flatMap((group) => Effect.uninterruptible(writeGroup(Chunk.toReadonlyArray(group)))),
      Effect.forever
    )
    for (let i = 0; i < writers; i++) yield* Effect.forkScoped(writer)

    return {
      /**
       * Stores the purchase with whatever else is waiting; succeeds once it is committed. Its
       * group's span links to `span`.
       */
      store: (purchase: PurchaseToStore, span?: Tracer.AnySpan): Effect.Effect<StoredPurchase, SqlError.SqlError> =>
        Effect.suspend(() => {
          const stored = Deferred.unsafeMake<StoredPurchase, SqlError.SqlError>(FiberId.none)
          // a queue shut down (the service stopping) takes nothing
          return queue.unsafeOffer({ purchase, stored, span }) ? Deferred.await(stored) : Effect.interrupt
        })
    } as const
  })
}) {}
