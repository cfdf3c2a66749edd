import { describe, expect, it } from "@effect/vitest"
import { BranchId, customerId, NewPurchase, NewPurchaseItem, ProductId } from "@icash/domain"
import { DEFAULT_RETRY_POLICY, failureReason, makeCashRegisterClient } from "@icash/simulator"
import { Deferred, Effect, Fiber, Option, Redacted, Ref, TestClock } from "effect"
import { type Reply, stubCashRegister } from "./StubCashRegister.js"

const payload = new NewPurchase({
  branch_id: BranchId.make(1),
  user_id: customerId("01e1e159-8045-43c2-88dd-5682b18bd680"),
  items: [new NewPurchaseItem({ product_id: ProductId.make(1) })]
})

const unavailable = { _tag: "ServiceUnavailable", message: "the database cannot be reached right now" }

/**
 * Rings up one purchase with key `key` through the simulator's client over a stub that answers
 * with `script`, moving the test clock on so that every wait ends; what was sent, and the outcome.
 */
const ringOnce = (script: Array<Reply>, options: { readonly stopping?: Effect.Effect<void> } = {}) =>
  Effect.gen(function*() {
    const stub = stubCashRegister(script)
    const retries = yield* Ref.make(0)
    const client = yield* makeCashRegisterClient({
      url: "http://cash-register.test",
      key: Option.some(Redacted.make("k3y")),
      retry: {
        policy: DEFAULT_RETRY_POLICY,
        stopping: options.stopping ?? Effect.never,
        onRetry: Ref.update(retries, (n) => n + 1)
      }
    }).pipe(Effect.provide(stub.layer))
    const fiber = yield* Effect.fork(
      Effect.either(client.purchases.create({ payload, headers: { "idempotency-key": "key-1" } }))
    )
    yield* TestClock.adjust("1 minute")
    const outcome = yield* Fiber.join(fiber)
    return { outcome, sent: stub.sent, retries: yield* Ref.get(retries) }
  })

describe("retries", () => {
  it.effect("send a purchase again after a refused or reset connection, with the same key and headers", () =>
    Effect.gen(function*() {
      const { outcome, retries, sent } = yield* ringOnce(["refused", "reset", { status: 201 }])
      expect(outcome._tag).toBe("Right")
      expect(retries).toBe(2)
      expect(sent).toHaveLength(3)
      for (const request of sent) {
        expect(request).toMatchObject({
          method: "POST",
          path: "/purchases",
          headers: { "idempotency-key": "key-1", authorization: "Bearer k3y" },
          body: { branch_id: 1, user_id: payload.user_id, items: [{ product_id: 1 }] }
        })
      }
    }))

  it.effect("send it again after a 429 with Retry-After: the key was over its rate, nothing was done", () =>
    Effect.gen(function*() {
      const { outcome, retries, sent } = yield* ringOnce([
        { status: 429, headers: { "retry-after": "1" }, body: { _tag: "TooManyRequests", message: "slow down" } },
        { status: 201 }
      ])
      expect(outcome._tag).toBe("Right")
      expect({ retries, sent: sent.length }).toEqual({ retries: 1, sent: 2 })
    }))

  it.effect("send it again after a 503 with Retry-After, once that time has passed", () =>
    Effect.gen(function*() {
      const busy = { status: 503, headers: { "retry-after": "2" }, body: unavailable }
      const stub = stubCashRegister([busy, { status: 201 }])
      const client = yield* makeCashRegisterClient({
        url: "http://cash-register.test",
        key: Option.none(),
        retry: { policy: DEFAULT_RETRY_POLICY, stopping: Effect.never, onRetry: Effect.void }
      }).pipe(Effect.provide(stub.layer))
      const fiber = yield* Effect.fork(client.purchases.create({ payload, headers: { "idempotency-key": "key-2" } }))
      yield* TestClock.adjust("1999 millis")
      expect(stub.sent).toHaveLength(1)
      yield* TestClock.adjust("1 milli")
      yield* Fiber.join(fiber)
      expect(stub.sent.map((request) => request.headers["idempotency-key"])).toEqual(["key-2", "key-2"])
      expect(stub.sent[0]!.headers).not.toHaveProperty("authorization")
    }))

  it.effect("give up after a few tries", () =>
    Effect.gen(function*() {
      const { outcome, retries, sent } = yield* ringOnce(Array.from({ length: 10 }, () => "refused" as const))
      expect(retries).toBe(DEFAULT_RETRY_POLICY.maxRetries)
      expect(sent).toHaveLength(DEFAULT_RETRY_POLICY.maxRetries + 1)
      expect(outcome._tag === "Left" && failureReason(outcome.left)).toBe("connection refused")
    }))

  it.effect("never resend what the server may have processed: another 4xx, a 500, a 503 without Retry-After", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<[Reply, string]> = [
        [{
          status: 422,
          body: { _tag: "UnknownProducts", product_ids: [1], message: "unknown products: 1" }
        }, "UnknownProducts"],
        [
          { status: 400, body: { _tag: "MalformedRequest", message: "request body is not valid JSON" } },
          "MalformedRequest"
        ],
        [{ status: 418 }, "HTTP 418"],
        [{ status: 500, body: { _tag: "InternalError", message: "oops" } }, "InternalError"],
        [{ status: 503, body: unavailable }, "ServiceUnavailable"],
        // longer than the simulator waits
        [{ status: 503, headers: { "retry-after": "3600" }, body: unavailable }, "ServiceUnavailable"]
      ]
      for (const [reply, reason] of cases) {
        const { outcome, retries, sent } = yield* ringOnce([reply, { status: 201 }])
        expect({ reason, sent: sent.length, retries }).toEqual({ reason, sent: 1, retries: 0 })
        expect(outcome._tag === "Left" && failureReason(outcome.left)).toBe(reason)
      }
    }))

  it.effect("stop waiting when the simulator stops: the purchase fails with its last answer", () =>
    Effect.gen(function*() {
      const stop = yield* Deferred.make<void>()
      const stub = stubCashRegister([{ status: 503, headers: { "retry-after": "5" }, body: unavailable }, {
        status: 201
      }])
      const client = yield* makeCashRegisterClient({
        url: "http://cash-register.test",
        key: Option.none(),
        retry: { policy: DEFAULT_RETRY_POLICY, stopping: Deferred.await(stop), onRetry: Effect.void }
      }).pipe(Effect.provide(stub.layer))
      const fiber = yield* Effect.fork(
        Effect.either(client.purchases.create({ payload, headers: { "idempotency-key": "key-3" } }))
      )
      yield* TestClock.adjust("1 second")
      yield* Deferred.succeed(stop, undefined)
      const outcome = yield* Fiber.join(fiber)
      expect(outcome._tag === "Left" && failureReason(outcome.left)).toBe("ServiceUnavailable")
      expect(stub.sent).toHaveLength(1)
    }))
})
