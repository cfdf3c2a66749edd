import { layer } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { BranchId, cents, customerId, ProductId, PurchaseId } from "@icash/domain"
import { AnalyticsRepo, CatalogRepo, PurchasesRepo } from "@icash/persistence"
import { testEngines } from "@icash/persistence/testing"
import { Effect, Layer, Option } from "effect"
import { expect } from "vitest"

const Repos = Layer.mergeAll(CatalogRepo.Default, PurchasesRepo.Default, AnalyticsRepo.Default)

const alice = customerId("01e1e159-8045-43c2-88dd-5682b18bd680")

for (const engine of await testEngines()) {
  layer(Repos.pipe(Layer.provideMerge(engine.database)), { excludeTestServices: true, timeout: "60 seconds" })(
    `repositories on ${engine.name}`,
    (it) => {
    it.effect("stores a purchase with its items, and the database enforces the rules", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* sql`INSERT INTO branches (code, name) VALUES ('SMKT001', 'Centro')`
        yield* sql`INSERT INTO products (product_name, unit_price) VALUES ('milk', 1.5), ('eggs', 3)`
        const catalog = yield* CatalogRepo
        const purchases = yield* PurchasesRepo

        const products = yield* catalog.findProducts([ProductId.make(2), ProductId.make(1), ProductId.make(9)])
        expect(products.map((p) => [p.id, p.product_name, p.unit_price])).toEqual([[1, "milk", 150], [2, "eggs", 300]])
        expect(Option.isSome(yield* catalog.findBranch(BranchId.make(1)))).toBe(true)
        expect(Option.isNone(yield* catalog.findBranch(BranchId.make(2)))).toBe(true)

        const stored = yield* purchases.insert({
          branch_id: BranchId.make(1),
          user_id: alice,
          total_amount: cents(450),
          items: [{ product_id: ProductId.make(1), unit_price: cents(150) }, {
            product_id: ProductId.make(2),
            unit_price: cents(300)
          }]
        })
        const found = yield* purchases.findById(stored.id)
        expect(Option.getOrThrow(found).total_amount).toBe(450)
        expect(Option.getOrThrow(found).items.map((i) => i.product_name)).toEqual(["milk", "eggs"])
        expect(Option.isNone(yield* purchases.findById(PurchaseId.make(999)))).toBe(true)

        // the same product twice in one purchase, a quantity of 2 and a float-ish price are refused
        const duplicate = yield* sql`INSERT INTO purchase_items (purchase_id, product_id, unit_price)
          VALUES (${stored.id}, 1, 1.5)`.pipe(Effect.flip)
        expect(String(duplicate.cause)).toMatch(/duplicate key|unique/i)
        const quantity = yield* sql`UPDATE purchase_items SET quantity = 2 WHERE purchase_id = ${stored.id}`.pipe(
          Effect.flip
        )
        expect(String(quantity.cause)).toMatch(/check constraint/)
        const notV4 = yield* sql`INSERT INTO customers (id) VALUES ('01e1e159-8045-13c2-88dd-5682b18bd680')`.pipe(
          Effect.flip
        )
        expect(String(notV4.cause)).toMatch(/check constraint/)
      }))

    it.effect("answers analytics from the purchases", () =>
      Effect.gen(function*() {
        const analytics = yield* AnalyticsRepo
        expect(yield* analytics.uniqueCustomers()).toBe(1)
        expect(yield* analytics.loyalCustomers({ min_purchases: 1, limit: 10, after: undefined })).toEqual([
          { user_id: alice, purchase_count: 1 }
        ])
        expect(yield* analytics.loyalCustomers({ min_purchases: 2, limit: 10, after: undefined })).toEqual([])
        const top = yield* analytics.topProducts(3)
        expect(top.map((p) => [p.product_name, p.units_sold, p.revenue, p.rank])).toEqual([
          ["milk", 1, 150, 1],
          ["eggs", 1, 300, 1]
        ])
      }))
  })
}
