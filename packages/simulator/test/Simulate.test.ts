import { describe, expect, it } from "@effect/vitest"
import { DEFAULT_OPTIONS, DEFAULT_RETRY_POLICY, simulate, type SimulatorOptions } from "@icash/simulator"
import { Deferred, Duration, Effect, Exit, Fiber, Option, Ref } from "effect"
import { stubCashRegister } from "./StubCashRegister.js"

const quiet = { _tag: "lines", every: Duration.hours(1) } as const
// waits of a millisecond: the rules are the same, the test is quick
const tuning = {
  retryPolicy: { ...DEFAULT_RETRY_POLICY, backoff: Duration.millis(1), maxBackoff: Duration.millis(1) },
  purchaseTimeout: Duration.seconds(10)
}

const options = (overrides: Partial<SimulatorOptions>): SimulatorOptions => ({
  ...DEFAULT_OPTIONS,
  url: "http://cash-register.test",
  rate: 10_000,
  seed: Option.some(1),
  ...overrides
})

describe("the simulator, over a stub Cash Register", () => {
  it.live("rings up exactly --count acknowledged purchases, each with a key of its own, the same on its retries", () =>
    Effect.gen(function*() {
      const stub = stubCashRegister([
        "refused",
        { status: 201 },
        { status: 503, headers: { "retry-after": "0" } },
        { status: 201 },
        { status: 422, body: { _tag: "UnknownProducts", product_ids: [9], message: "unknown products: 9" } }
      ])
      const summary = yield* simulate(
        options({ limit: { _tag: "Count", count: 5 }, registersPerBranch: 1, branches: Option.some(["SMKT002"]) }),
        quiet,
        tuning
      ).pipe(Effect.provide(stub.layer))

      expect(summary.stoppedBy).toEqual({ _tag: "Count", count: 5 })
      expect(summary.counts).toEqual({
        sent: 6,
        acknowledged: 5,
        failed: 1,
        retries: 2,
        failures: { UnknownProducts: 1 }
      })
      const posts = stub.sent.filter((request) => request.method === "POST")
      const keys = posts.map((request) => request.headers["idempotency-key"]!)
      expect(posts).toHaveLength(8)
      expect(keys[0]).toBe(keys[1])
      expect(keys[2]).toBe(keys[3])
      expect(new Set(keys).size).toBe(6)
      for (const key of keys) {
        expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
      }
      for (const { body } of posts) {
        expect(body).toMatchObject({ branch_id: 2, user_id: expect.stringMatching(/^[0-9a-f-]{36}$/) })
      }
    }))

  it.live("sends the same baskets for the same seed", () =>
    Effect.gen(function*() {
      const baskets = (seed: number) =>
        Effect.gen(function*() {
          const stub = stubCashRegister([])
          // one till per branch: each till's order is fixed, not how the tills interleave
          yield* simulate(
            options({ seed: Option.some(seed), limit: { _tag: "Count", count: 30 }, registersPerBranch: 1 }),
            quiet,
            tuning
          ).pipe(Effect.provide(stub.layer))
          const byTill = new Map<number, Array<unknown>>()
          for (const { body, method } of stub.sent) {
            if (method !== "POST") continue
            const { branch_id, items } = body as { branch_id: number; items: unknown }
            byTill.set(branch_id, [...(byTill.get(branch_id) ?? []), items])
          }
          return byTill
        })
      const [first, again, other] = [yield* baskets(5), yield* baskets(5), yield* baskets(6)]
      const prefix = (byTill: Map<number, Array<unknown>>) =>
        [...byTill].sort(([a], [b]) => a - b).map(([branch, items]) => [branch, items.slice(0, 5)])
      expect(prefix(again)).toEqual(prefix(first))
      expect(prefix(other)).not.toEqual(prefix(first))
    }))

  it.live("says which branch codes do not exist, and which do", () =>
    Effect.gen(function*() {
      const stub = stubCashRegister([])
      const error = yield* simulate(options({ branches: Option.some(["SMKT001", "SMKT404"]) }), quiet, tuning).pipe(
        Effect.provide(stub.layer),
        Effect.flip
      )
      expect(error.message).toBe("no branch has the code SMKT404; the branches are SMKT001, SMKT002")
      expect(stub.sent.filter((request) => request.method === "POST")).toHaveLength(0)
    }))

  it.live("on interruption (Ctrl-C), finishes the purchases under way before it stops", () =>
    Effect.gen(function*() {
      const release = yield* Deferred.make<void>()
      const arrived = yield* Deferred.make<void>()
      const answered = yield* Ref.make(0)
      const stub = stubCashRegister([], {
        hold: Deferred.succeed(arrived, undefined).pipe(
          Effect.zipRight(Deferred.await(release)),
          Effect.zipRight(Ref.update(answered, (n) => n + 1))
        )
      })
      const running = yield* Effect.fork(
        simulate(options({ registersPerBranch: 2 }), quiet, tuning).pipe(Effect.provide(stub.layer))
      )
      yield* Deferred.await(arrived)
      const stopping = yield* Effect.fork(Fiber.interrupt(running))
      // the registers' purchases are held by the server: the simulator waits for them
      yield* Effect.sleep("50 millis")
      expect(yield* Fiber.poll(stopping)).toEqual(Option.none())
      yield* Deferred.succeed(release, undefined)
      const exit = yield* Fiber.join(stopping)
      expect(Exit.isInterrupted(exit)).toBe(true)
      const posts = stub.sent.filter((request) => request.method === "POST").length
      expect(posts).toBeGreaterThan(0)
      expect(yield* Ref.get(answered)).toBe(posts)
    }))
})
