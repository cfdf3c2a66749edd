import { describe, expect, it } from "@effect/vitest"
import { Purchases } from "@icash/cash-register"
import {
  BranchId,
  customerId,
  DuplicateProducts,
  NewPurchase,
  ProductId,
  PurchaseId,
  PurchaseNotFound,
  UnknownBranch,
  UnknownProducts
} from "@icash/domain"
import { PurchasesRepo } from "@icash/persistence"
import { InMemoryDatabaseLive } from "@icash/persistence/testing"
import { Effect, Layer, Schema } from "effect"
import { alice, branches, products } from "./fixtures.js"

const TestLive = Purchases.Default.pipe(
  Layer.provideMerge(InMemoryDatabaseLive({ branches, products }))
)

const newPurchase = (input: unknown) => Schema.decodeUnknownSync(NewPurchase)(input)

/** Records a purchase without an Idempotency-Key, as most of these tests do. */
const createPurchase = (input: NewPurchase, key?: string) =>
  Effect.flatMap(Purchases, (purchases) => Effect.map(purchases.create(input, key), (recorded) => recorded.purchase))

const storedCount = Effect.flatMap(
  PurchasesRepo,
  (repo) => Effect.map(repo.findById(PurchaseId.make(1)), (found) => (found._tag === "Some" ? 1 : 0))
)

describe("Purchases.create", () => {
  it.effect("prices every item at the current price and totals them exactly", () =>
    Effect.gen(function*() {
      const purchases = yield* Purchases
      const purchase = yield* createPurchase(newPurchase({
        branch_id: 1,
        user_id: alice,
        items: [{ product_id: 3 }, { product_id: 4, quantity: 1 }, { product_id: 1 }]
      }))
      // 0.10 + 0.20 + 1.50 is 1.80 exactly, not 1.8000000000000003
      expect(purchase.total_amount).toBe(180)
      expect(purchase.items.map((i) => [i.product_name, i.unit_price, i.quantity])).toEqual([
        ["milk", 150, 1],
        ["chewing gum", 10, 1],
        ["mints", 20, 1]
      ])
      expect(purchase.user_id).toBe(alice)
      expect(yield* purchases.find(purchase.id)).toEqual(purchase)
    }).pipe(Effect.provide(TestLive)))

  it.effect("gives a customer without user_id a fresh UUID v4", () =>
    Effect.gen(function*() {
      const first = yield* createPurchase(newPurchase({ branch_id: 1, items: [{ product_id: 1 }] }))
      const second = yield* createPurchase(newPurchase({ branch_id: 1, items: [{ product_id: 1 }] }))
      expect(first.user_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
      expect(second.user_id).not.toBe(first.user_id)
    }).pipe(Effect.provide(TestLive)))

  it.effect("treats an upper-case UUID as the same customer", () =>
    Effect.gen(function*() {
      const purchase = yield* createPurchase(
        newPurchase({ branch_id: 2, user_id: alice.toUpperCase(), items: [{ product_id: 2 }] })
      )
      expect(purchase.user_id).toBe(customerId(alice))
    }).pipe(Effect.provide(TestLive)))

  it.effect("refuses an unknown branch and writes nothing", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(createPurchase(newPurchase({ branch_id: 9, items: [{ product_id: 1 }] })))
      expect(error).toEqual(UnknownBranch.of(BranchId.make(9)))
      expect(yield* storedCount).toBe(0)
    }).pipe(Effect.provide(TestLive)))

  it.effect("names every unknown product and writes nothing", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(createPurchase(newPurchase({
        branch_id: 1,
        items: [{ product_id: 7 }, { product_id: 1 }, { product_id: 8 }]
      })))
      expect(error).toEqual(UnknownProducts.of([ProductId.make(7), ProductId.make(8)]))
      expect(error.message).toBe("unknown products: 7, 8")
      expect(yield* storedCount).toBe(0)
    }).pipe(Effect.provide(TestLive)))

  it.effect("refuses the same product twice and writes nothing", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(createPurchase(newPurchase({
        branch_id: 1,
        items: [{ product_id: 1 }, { product_id: 2 }, { product_id: 1 }]
      })))
      expect(error).toEqual(DuplicateProducts.of([ProductId.make(1)]))
      expect(yield* storedCount).toBe(0)
    }).pipe(Effect.provide(TestLive)))

  it.effect("answers PurchaseNotFound for an id never issued", () =>
    Effect.gen(function*() {
      const purchases = yield* Purchases
      expect(yield* Effect.flip(purchases.find(PurchaseId.make(42)))).toEqual(PurchaseNotFound.of(PurchaseId.make(42)))
    }).pipe(Effect.provide(TestLive)))
})

describe("NewPurchase (the wire contract)", () => {
  const problems = (input: unknown) =>
    Schema.decodeUnknownEither(NewPurchase, { errors: "all" })(input).pipe(
      (result) => (result._tag === "Left" ? result.left.message : "valid")
    )

  it("accepts quantity 1 or no quantity, and nothing else", () => {
    expect(problems({ branch_id: 1, items: [{ product_id: 1 }, { product_id: 2, quantity: 1 }] })).toBe("valid")
    expect(problems({ branch_id: 1, items: [{ product_id: 1, quantity: 2 }] })).toMatch(/quantity must be 1/)
    expect(problems({ branch_id: 1, items: [{ product_id: 1, quantity: 0 }] })).toMatch(/quantity must be 1/)
  })

  it("refuses empty items, wrong types and a user_id that is not a UUID v4", () => {
    expect(problems({ branch_id: 1, items: [] })).toMatch(/items must not be empty/)
    expect(problems({ branch_id: "1", items: [{ product_id: 1 }] })).toMatch(/Expected number/)
    expect(problems({ branch_id: 1.5, items: [{ product_id: 1 }] })).toMatch(/integer/)
    expect(problems({ branch_id: 1, items: [{ product_id: -3 }] })).toMatch(/Product id must be a whole number from 1/)
    // beyond what the database's integer columns hold
    expect(problems({ branch_id: 99_999_999_999, items: [{ product_id: 1 }] })).toMatch(/from 1 to 2147483647/)
    // a v1 UUID, a UUID without dashes, and garbage
    for (const user_id of ["01e1e159-8045-13c2-88dd-5682b18bd680", "01e1e159804543c288dd5682b18bd680", "bob"]) {
      expect(problems({ branch_id: 1, user_id, items: [{ product_id: 1 }] })).toMatch(/must be a UUID v4/)
    }
  })
})

describe("Purchases.create with an Idempotency-Key", () => {
  const milk = newPurchase({ branch_id: 1, items: [{ product_id: 1 }] })
  const allPurchases = Effect.flatMap(PurchasesRepo, (repo) =>
    Effect.map(
      Effect.all([1, 2, 3].map((id) => repo.findById(PurchaseId.make(id)))),
      (found) => found.filter((purchase) => purchase._tag === "Some").length
    ))

  it.effect("answers a retry with the purchase it stored, and stores nothing more", () =>
    Effect.gen(function*() {
      const purchases = yield* Purchases
      const first = yield* purchases.create(milk, "till-7-0001")
      const retry = yield* purchases.create(milk, "till-7-0001")
      expect(first.replayed).toBe(false)
      expect(retry).toEqual({ purchase: first.purchase, replayed: true })
      // a new customer's retry gets the customer the first request created
      expect(retry.purchase.user_id).toBe(first.purchase.user_id)
      expect(yield* allPurchases).toBe(1)
      expect((yield* purchases.create(milk, "till-7-0002")).replayed).toBe(false)
      expect(yield* allPurchases).toBe(2)
    }).pipe(Effect.provide(TestLive)))

  it.effect("refuses the key for another purchase", () =>
    Effect.gen(function*() {
      const purchases = yield* Purchases
      yield* purchases.create(milk, "k")
      const other = newPurchase({ branch_id: 1, items: [{ product_id: 1 }, { product_id: 2 }] })
      const error = yield* Effect.flip(purchases.create(other, "k"))
      expect(error._tag).toBe("IdempotencyKeyReused")
      expect(yield* allPurchases).toBe(1)
      // the same items in another order are the same purchase
      const reordered = newPurchase({ branch_id: 1, items: [{ product_id: 2 }, { product_id: 1 }] })
      yield* purchases.create(reordered, "k2")
      expect((yield* purchases.create(other, "k2")).replayed).toBe(true)
    }).pipe(Effect.provide(TestLive)))

  it.effect("makes one purchase of requests with the same key at the same time", () =>
    Effect.gen(function*() {
      const purchases = yield* Purchases
      const answers = yield* Effect.all(Array.from({ length: 5 }, () => purchases.create(milk, "double-click")), {
        concurrency: "unbounded"
      })
      expect(new Set(answers.map((a) => a.purchase.id)).size).toBe(1)
      expect(answers.filter((a) => !a.replayed)).toHaveLength(1)
      expect(yield* allPurchases).toBe(1)
    }).pipe(Effect.provide(TestLive)))

  it.effect("stores nothing for a refused purchase, so its key can be used once the request is fixed", () =>
    Effect.gen(function*() {
      const purchases = yield* Purchases
      const refused = yield* Effect.flip(
        purchases.create(newPurchase({ branch_id: 9, items: [{ product_id: 1 }] }), "k")
      )
      expect(refused._tag).toBe("UnknownBranch")
      expect((yield* purchases.create(milk, "k")).replayed).toBe(false)
    }).pipe(Effect.provide(TestLive)))
})
