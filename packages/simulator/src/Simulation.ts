import type { HttpClient } from "@effect/platform"
import { Cause, Clock, Console, Deferred, Duration, Effect, Exit, Fiber, Option, Random, Scope } from "effect"
import { loadCatalogue, type SimulatorError } from "./Catalogue.js"
import { makeCashRegisterClient } from "./Client.js"
import type { Limit, SimulatorOptions } from "./Options.js"
import { makeQuota } from "./Quota.js"
import { runRegister } from "./Register.js"
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./Retry.js"
import { shoppingAt, type Till } from "./Shopping.js"
import { makeStats } from "./Stats.js"
import { showStatus, type StatusMode } from "./Status.js"
import { formatSummary, type StopReason, type Summary } from "./Summary.js"

export interface Tuning {
  readonly retryPolicy: RetryPolicy
  /** The longest a purchase may take, retries included. */
  readonly purchaseTimeout: Duration.Duration
}

// a purchase takes milliseconds; one that gets no answer in 10 seconds will not get one
export const DEFAULT_TUNING: Tuning = { retryPolicy: DEFAULT_RETRY_POLICY, purchaseTimeout: Duration.seconds(10) }

/** What ends the run by itself, if anything: the count of acknowledged purchases, or the time. */
const limitReached = (limit: Limit, countReached: Effect.Effect<void>): Effect.Effect<StopReason> => {
  switch (limit._tag) {
    case "Count":
      return Effect.as(countReached, { _tag: "Count", count: limit.count })
    case "Duration":
      return Effect.as(Effect.sleep(limit.duration), { _tag: "Duration", duration: Duration.format(limit.duration) })
    case "Unlimited":
      return Effect.never
  }
}

/**
 * Rings up purchases at the Cash Register from every register of the chosen branches until the
 * limit is reached or the fiber is interrupted (Ctrl-C): then the registers finish the purchases
 * they are ringing, and the summary is printed (and returned, when not interrupted).
 */
export const simulate = (
  options: SimulatorOptions,
  status: StatusMode,
  tuning: Tuning = DEFAULT_TUNING
): Effect.Effect<Summary, SimulatorError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    // The registers run in a scope of their own, not as children of this fiber: Ctrl-C interrupts
    // this fiber, and they must go on to finish the purchases they are ringing.
    const scope = yield* Effect.acquireRelease(Scope.make(), (scope, exit) => Scope.close(scope, exit))
    const seed = Option.isSome(options.seed) ? options.seed.value : yield* Random.nextIntBetween(0, 2 ** 31)
    const stop = yield* Deferred.make<StopReason>()
    const stopping = Effect.asVoid(Deferred.await(stop))
    const stats = yield* makeStats
    const client = yield* makeCashRegisterClient({
      url: options.url,
      key: options.key,
      retry: { policy: tuning.retryPolicy, stopping, onRetry: stats.retried }
    })
    const catalogue = yield* loadCatalogue(client, options.url, options.branches)
    const tills = catalogue.branches.flatMap((branch) =>
      Array.from({ length: options.registersPerBranch }, (_, lane): Till => ({
        branch_id: branch.id,
        branch_code: branch.code,
        lane
      }))
    )
    const quota = yield* makeQuota(
      options.limit._tag === "Count" ? Option.some(options.limit.count) : Option.none(),
      stopping
    )
    const context = {
      client,
      stats,
      quota,
      stop,
      meanGap: Duration.millis((1000 * tills.length) / options.rate),
      timeout: tuning.purchaseTimeout
    }

    yield* Console.log(
      `Simulator: ~${options.rate} purchases/s at ${options.url} from ${tills.length} registers ` +
        `(${options.registersPerBranch} in each of ${catalogue.branches.map((b) => b.code).join(", ")}), ` +
        `seed ${seed}; Ctrl-C stops it`
    )
    const startedAt = yield* Clock.currentTimeMillis
    const registers = yield* Effect.forEach(tills, (till) =>
      runRegister(
        till,
        shoppingAt(till, { seed, productIds: catalogue.productIds, maxItems: options.maxItems }),
        context
      )
        .pipe(
          // a register that breaks stops the run (and the defect is reported when the run ends)
          Effect.onExit((exit) => Exit.isFailure(exit) ? Deferred.die(stop, Cause.squash(exit.cause)) : Effect.void),
          Effect.forkIn(scope)
        ))
    const display = yield* Effect.forkIn(showStatus(status, stats.counts, startedAt), scope)

    const finish = (reason: StopReason) =>
      Effect.gen(function*() {
        yield* Deferred.succeed(stop, reason)
        yield* Fiber.joinAll(registers)
        const elapsedMillis = (yield* Clock.currentTimeMillis) - startedAt
        yield* Fiber.interrupt(display)
        const summary: Summary = {
          stoppedBy: yield* Deferred.await(stop),
          counts: yield* stats.counts,
          elapsedMillis,
          seed,
          targetRate: options.rate,
          registers: tills.length
        }
        yield* Console.log(formatSummary(summary))
        return summary
      })

    const reason = yield* Effect.raceFirst(limitReached(options.limit, quota.reached), Deferred.await(stop)).pipe(
      Effect.onInterrupt(() => finish({ _tag: "Interrupted" }))
    )
    // a Ctrl-C meanwhile waits for the summary (a second one kills the process)
    return yield* Effect.uninterruptible(finish(reason))
  }).pipe(Effect.scoped)
