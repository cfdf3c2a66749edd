import { type CustomerId, customerId, NewPurchase, NewPurchaseItem } from "@icash/domain"
import { Cause, Clock, Deferred, Duration, Effect, Random } from "effect"
import { randomUUID } from "node:crypto"
import { type CashRegisterClient, IDEMPOTENCY_KEY_HEADER } from "./Client.js"
import { failureReason } from "./Failures.js"
import type { Quota } from "./Quota.js"
import type { Draft, Till } from "./Shopping.js"
import type { Stats } from "./Stats.js"
import type { StopReason } from "./Summary.js"

export interface RegisterContext {
  readonly client: CashRegisterClient
  readonly stats: Stats
  readonly quota: Quota
  /** Completed when the simulator stops: the register finishes the purchase it is ringing, then leaves. */
  readonly stop: Deferred.Deferred<StopReason>
  /** The mean time between two purchases of this register. */
  readonly meanGap: Duration.Duration
  /** The longest a purchase may take, retries included. */
  readonly timeout: Duration.Duration
}

const MAX_CATCH_UP_MILLIS = 1000

/** Waits `millis`; true if the simulator stopped meanwhile (or had already). */
const pause = (millis: number, stop: Deferred.Deferred<StopReason>) =>
  Effect.flatMap(Deferred.isDone(stop), (stopped) =>
    stopped ? Effect.succeed(true) : Effect.raceFirst(
      Effect.as(Effect.sleep(Duration.millis(millis)), false),
      Effect.as(Deferred.await(stop), true)
    ))

/**
 * One cash register: rings up the till's purchases one after another, each when it is due (or as
 * soon as the previous one is answered, when it is late). A customer the till sees for the first
 * time gets a fresh UUID v4; a returning one has the same id again. Each purchase carries an
 * `Idempotency-Key` of its own, the same on its retries.
 */
export const runRegister = (till: Till, next: () => Draft, context: RegisterContext) =>
  Effect.gen(function*() {
    const { client, quota, stats } = context
    const customerIds: Array<CustomerId> = []
    const meanGap = Duration.toMillis(context.meanGap)

    const ring = (draft: Draft) => {
      // (not validated here: the client encodes it against the contract anyway)
      const payload = new NewPurchase({
        branch_id: draft.branch_id,
        user_id: customerIds[draft.customer] ??= customerId(randomUUID()),
        items: draft.product_ids.map((product_id) => new NewPurchaseItem({ product_id }, true))
      }, true)
      // a fresh key for each purchase; the retries of the HttpClient send the very same request, key included
      const headers = { [IDEMPOTENCY_KEY_HEADER]: randomUUID() }
      return Effect.zipRight(stats.sent, client.purchases.create({ payload, headers })).pipe(
        Effect.timeout(context.timeout),
        Effect.matchCauseEffect({
          onSuccess: () => Effect.as(stats.acknowledged, true),
          onFailure: (cause) => Effect.as(stats.failed(failureReason(Cause.squash(cause))), false)
        }),
        Effect.withSpan("Simulator.purchase", {
          captureStackTrace: false,
          attributes: { "icash.branch_code": till.branch_code, "icash.register": till.lane + 1 }
        })
      )
    }

    // when each purchase is due: random (exponential) gaps, as customers come, the register
    // catching up when an answer was slow, but never by more than a second's worth at once
    let due = yield* Clock.currentTimeMillis
    while (true) {
      const now = yield* Clock.currentTimeMillis
      due = Math.max(due + -Math.log(1 - (yield* Random.next)) * meanGap, now - MAX_CATCH_UP_MILLIS)
      if (yield* pause(Math.max(0, due - now), context.stop)) return
      if (!(yield* quota.reserve)) return
      yield* quota.settle(yield* ring(next()))
    }
  })
