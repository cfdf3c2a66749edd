import { PurchasesRepo } from "@icash/persistence"
import { Config, Duration, Effect, Layer, Schedule } from "effect"

/**
 * Idempotency-Keys are kept IDEMPOTENCY_KEY_RETENTION (default 24 hours), then forgotten: a
 * sweep every hour deletes the older ones, so a key lives between the retention and an hour more.
 */
export const KeyRetentionLive = Layer.scopedDiscard(
  Effect.gen(function*() {
    const repo = yield* PurchasesRepo
    const retention = yield* Config.duration("IDEMPOTENCY_KEY_RETENTION").pipe(
      Config.withDefault(Duration.hours(24))
    )
    const sweep = Effect.gen(function*() {
      const before = new Date(Date.now() - Duration.toMillis(retention))
      const forgotten = yield* repo.forgetKeysBefore(before)
      if (forgotten > 0) yield* Effect.logInfo("forgot expired idempotency keys", { forgotten })
    }).pipe(Effect.catchAllCause((cause) => Effect.logWarning("could not forget expired idempotency keys", cause)))
    yield* Effect.forkScoped(Effect.repeat(sweep, Schedule.spaced(Duration.hours(1))))
  })
)
