import { SqlError } from "@effect/sql/SqlError"
import { describe, expect, it } from "@effect/vitest"
import { GroupCommit } from "@icash/cash-register"
import { BranchId, customerId, ProductId, Purchase, PurchaseId, PurchaseItem } from "@icash/domain"
import { PurchasesRepo, type PurchaseToStore, type StoredPurchase } from "@icash/persistence"
import { ConfigProvider, DateTime, Deferred, Effect, Exit, Fiber, Layer } from "effect"

const poisoned = customerId("0bad0bad-0bad-4bad-8bad-0bad0bad0bad")
const customer = (n: number) => customerId(`00000000-0000-4000-8000-${String(n).padStart(12, "0")}`)
const purchase = (n: number): PurchaseToStore => ({
  branch_id: BranchId.make(1 + (n % 3)),
  user_id: customer(n),
  product_ids: [ProductId.make(1 + (n % 5))]
})

/**
 * A PurchasesRepo that records the groups it is given, holds the first one until `release`, and
 * refuses any group holding the poisoned customer (as the database would refuse a bad row).
 */
const recordingRepo = Effect.gen(function*() {
  const release = yield* Deferred.make<void>()
  const groups: Array<ReadonlyArray<PurchaseToStore>> = []
  let nextId = 1
  const repo = PurchasesRepo.make({
    insertGroup: (group) =>
      Effect.gen(function*() {
        groups.push(group)
        if (groups.length === 1) yield* Deferred.await(release)
        if (group.some((p) => p.user_id === poisoned)) {
          return yield* new SqlError({ message: "new row violates check constraint" })
        }
        const timestamp = yield* DateTime.now
        return group.map((p): StoredPurchase => ({
          _tag: "Stored",
          purchase: new Purchase({
            id: PurchaseId.make(nextId++),
            branch_id: p.branch_id,
            user_id: p.user_id,
            timestamp,
            total_amount: 0 as Purchase["total_amount"],
            items: p.product_ids.map((product_id) =>
              new PurchaseItem({
                product_id,
                product_name: `product ${product_id}`,
                quantity: 1,
                unit_price: 0 as PurchaseItem["unit_price"]
              })
            )
          })
        }))
      }),
    findById: () => Effect.die("not used"),
    forgetKeysBefore: () => Effect.die("not used")
  })
  return { repo, groups, release }
})

const oneWriter = Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["PURCHASE_WRITERS", "1"]])))

describe("GroupCommit", () => {
  it.live("stores what queued up while the database was busy as one group; each caller gets its own purchase", () =>
    Effect.gen(function*() {
      const { groups, release, repo } = yield* recordingRepo
      yield* Effect.gen(function*() {
        const commit = yield* GroupCommit
        const first = yield* Effect.fork(commit.store(purchase(0)))
        const rest = yield* Effect.fork(
          Effect.all(Array.from({ length: 20 }, (_, i) => commit.store(purchase(i + 1))), { concurrency: "unbounded" })
        )
        yield* Effect.sleep("50 millis")
        yield* Deferred.succeed(release, undefined)
        const answers = [yield* Fiber.join(first), ...(yield* Fiber.join(rest))].map((stored) => stored.purchase)
        expect(groups.map((group) => group.length)).toEqual([1, 20])
        expect(answers.map((p) => p.user_id)).toEqual(Array.from({ length: 21 }, (_, i) => customer(i)))
        expect(answers.map((p) => p.branch_id)).toEqual(Array.from({ length: 21 }, (_, i) => purchase(i).branch_id))
        expect(new Set(answers.map((p) => p.id)).size).toBe(21)
      }).pipe(Effect.provide(GroupCommit.Default.pipe(Layer.provide(Layer.succeed(PurchasesRepo, repo)))))
    }).pipe(Effect.provide(oneWriter)))

  it.live("fails only the purchase the database refuses: the rest of its group is retried one by one", () =>
    Effect.gen(function*() {
      const { groups, release, repo } = yield* recordingRepo
      yield* Effect.gen(function*() {
        const commit = yield* GroupCommit
        yield* Effect.fork(commit.store(purchase(0)))
        const batch = [purchase(1), { ...purchase(2), user_id: poisoned }, purchase(3)]
        const stored = yield* Effect.fork(
          Effect.all(batch.map((p) => Effect.exit(commit.store(p))), { concurrency: "unbounded" })
        )
        yield* Effect.sleep("50 millis")
        yield* Deferred.succeed(release, undefined)
        const [one, bad, three] = yield* stored.await.pipe(Effect.flatten)
        expect(groups.map((group) => group.length)).toEqual([1, 3, 1, 1, 1])
        expect(Exit.isSuccess(one!) && one.value.purchase.user_id).toBe(customer(1))
        expect(Exit.isFailure(bad!)).toBe(true)
        expect(Exit.isSuccess(three!) && three.value.purchase.user_id).toBe(customer(3))
      }).pipe(Effect.provide(GroupCommit.Default.pipe(Layer.provide(Layer.succeed(PurchasesRepo, repo)))))
    }).pipe(Effect.provide(oneWriter)))
})
