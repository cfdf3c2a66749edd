import { describe, expect, it } from "@effect/vitest"
import {
  BranchId,
  cents,
  customerId,
  InvalidCursor,
  type LoyalCustomersPage,
  LoyalCustomersParams,
  Product,
  ProductId,
  Purchase,
  PurchaseId,
  PurchaseItem,
  TopProductsParams
} from "@icash/domain"
import { InMemoryDatabaseLive } from "@icash/persistence/testing"
import { Analytics } from "@icash/store-analytics"
import { DateTime, Effect, Layer, Schema } from "effect"

const products = ["milk", "eggs", "bread", "apples", "cheese"].map((product_name, i) =>
  new Product({ id: ProductId.make(i + 1), product_name, unit_price: cents(100 * (i + 1)) })
)

const customer = (n: number) => customerId(`00000000-0000-4000-8000-${String(n).padStart(12, "0")}`)

let nextId = 1
const purchase = (user: number, branch: number, names: ReadonlyArray<string>) => {
  const items = names.map((name) => {
    const product = products.find((p) => p.product_name === name)!
    return new PurchaseItem({ product_id: product.id, product_name: name, quantity: 1, unit_price: product.unit_price })
  })
  return new Purchase({
    id: PurchaseId.make(nextId++),
    branch_id: BranchId.make(branch),
    user_id: customer(user),
    timestamp: DateTime.unsafeMake(0),
    total_amount: cents(items.reduce((sum, item) => sum + item.unit_price, 0)),
    items
  })
}

// customer 1: 4 purchases, 2: 3 (in two branches), 3: 3, 4: 2, 5: 1
// units: milk 5, eggs 4, bread 4, apples 1, cheese 1
const purchases = [
  purchase(1, 1, ["milk", "eggs"]),
  purchase(1, 1, ["milk"]),
  purchase(1, 2, ["bread"]),
  purchase(1, 3, ["milk", "apples"]),
  purchase(2, 1, ["eggs", "bread"]),
  purchase(2, 2, ["eggs"]),
  purchase(2, 2, ["bread"]),
  purchase(3, 3, ["milk"]),
  purchase(3, 3, ["eggs"]),
  purchase(3, 1, ["bread", "cheese"]),
  purchase(4, 1, ["milk"]),
  purchase(4, 2, []),
  purchase(5, 3, [])
]

const TestLive = Analytics.Default.pipe(Layer.provide(InMemoryDatabaseLive({ products, purchases })))

const loyalParams = (params: Record<string, string>) => Schema.decodeUnknownSync(LoyalCustomersParams)(params)

describe("Analytics", () => {
  it.effect("counts distinct customers across all branches", () =>
    Effect.gen(function*() {
      const analytics = yield* Analytics
      expect((yield* analytics.uniqueCustomers()).unique_customers).toBe(5)
    }).pipe(Effect.provide(TestLive)))

  it.effect("lists loyal customers, most purchases first, then by id", () =>
    Effect.gen(function*() {
      const analytics = yield* Analytics
      const page = yield* analytics.loyalCustomers(loyalParams({}))
      expect(page.min_purchases).toBe(3)
      expect(page.customers.map((c) => [c.user_id, c.purchase_count])).toEqual([
        [customer(1), 4],
        [customer(2), 3],
        [customer(3), 3]
      ])
      expect(page.next_cursor).toBeNull()
    }).pipe(Effect.provide(TestLive)))

  it.effect("pages through every loyal customer exactly once with the cursor", () =>
    Effect.gen(function*() {
      const analytics = yield* Analytics
      for (const limit of ["1", "2"]) {
        const seen: Array<string> = []
        let cursor: string | null = null
        do {
          const page: LoyalCustomersPage = yield* analytics.loyalCustomers(
            loyalParams({ min_purchases: "2", limit, ...(cursor === null ? {} : { cursor }) })
          )
          expect(page.customers.length).toBeLessThanOrEqual(Number(limit))
          for (const c of page.customers) seen.push(c.user_id)
          cursor = page.next_cursor
        } while (cursor !== null)
        expect(seen).toEqual([customer(1), customer(2), customer(3), customer(4)])
      }
    }).pipe(Effect.provide(TestLive)))

  it.effect("refuses a cursor it did not issue, or issued for another min_purchases", () =>
    Effect.gen(function*() {
      const analytics = yield* Analytics
      const first = yield* analytics.loyalCustomers(loyalParams({ min_purchases: "2", limit: "1" }))
      const elsewhere = yield* Effect.flip(
        analytics.loyalCustomers(loyalParams({ min_purchases: "3", cursor: first.next_cursor! }))
      )
      expect(elsewhere).toBeInstanceOf(InvalidCursor)
      const forged = (payload: string) => Buffer.from(payload).toString("base64url")
      const badCursors = [
        "garbage",
        "",
        "WzEsMl0",
        forged("[2,2,\"bob\"]"),
        forged(`[2,1e20,"${customer(1)}"]`),
        forged(`[2,2.5,"${customer(1)}"]`)
      ]
      for (const cursor of badCursors) {
        const error = yield* Effect.flip(analytics.loyalCustomers(loyalParams({ min_purchases: "2", cursor })))
        expect(error).toBeInstanceOf(InvalidCursor)
      }
    }).pipe(Effect.provide(TestLive)))

  it.effect("ranks top products by units, listing every product tied at the cut-off", () =>
    Effect.gen(function*() {
      const analytics = yield* Analytics
      const top = (limit: string) =>
        Effect.map(
          analytics.topProducts(Schema.decodeUnknownSync(TopProductsParams)({ limit })),
          (result) => result.products.map((p) => [p.product_name, p.units_sold, p.revenue, p.rank])
        )
      // eggs and bread tie for 2nd: a limit of 2 lists both with rank 2
      expect(yield* top("2")).toEqual([["milk", 5, 500, 1], ["eggs", 4, 800, 2], ["bread", 4, 1200, 2]])
      expect(yield* top("1")).toEqual([["milk", 5, 500, 1]])
      // apples and cheese tie for 4th
      expect((yield* top("4")).map(([name, , , rank]) => [name, rank])).toEqual([
        ["milk", 1],
        ["eggs", 2],
        ["bread", 2],
        ["apples", 4],
        ["cheese", 4]
      ])
      const defaults = yield* analytics.topProducts(Schema.decodeUnknownSync(TopProductsParams)({}))
      expect(defaults.limit).toBe(3)
    }).pipe(Effect.provide(TestLive)))
})

describe("query parameters", () => {
  it("take a whole limit from 1 to 1000 and a min_purchases of at least 1", () => {
    expect(loyalParams({ limit: "1000" }).limit).toBe(1000)
    for (const limit of ["0", "1001", "-1", "2.5", "ten", ""]) {
      expect(() => loyalParams({ limit })).toThrow(/limit must be a whole number from 1 to 1000/)
      expect(() => Schema.decodeUnknownSync(TopProductsParams)({ limit })).toThrow(/limit must be a whole number/)
    }
    expect(() => loyalParams({ min_purchases: "0" })).toThrow(/min_purchases must be a whole number/)
  })
})
