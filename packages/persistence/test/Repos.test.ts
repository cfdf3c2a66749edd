import { SqlClient } from "@effect/sql"
import { layer } from "@effect/vitest"
import { BranchId, customerId, ProductId, type Purchase, PurchaseId } from "@icash/domain"
import { AnalyticsRepo, CatalogRepo, PurchasesRepo } from "@icash/persistence"
import { testEngines } from "@icash/persistence/testing"
import { Effect, Layer, Option } from "effect"
import { expect } from "vitest"

const Repos = Layer.mergeAll(CatalogRepo.Default, PurchasesRepo.Default, AnalyticsRepo.Default)

const alice = customerId("01e1e159-8045-43c2-88dd-5682b18bd680")
const bob = customerId("16a65199-b63e-40ba-8829-267460334dad")
const carol = customerId("2b1e6c1a-0c3f-4d7e-9a55-3f1d2e4c5b6a")

const layerOptions = { excludeTestServices: true, timeout: "60 seconds" } as const

for (const engine of await testEngines()) {
  layer(Repos.pipe(Layer.provideMerge(engine.database)), layerOptions)(`repositories on ${engine.name}`, (it) => {
    it.effect("stores a purchase with its items, and the database enforces the rules", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* sql`INSERT INTO branches (code, name) VALUES ('SMKT001', 'Centro')`
        yield* sql`INSERT INTO products (product_name, unit_price) VALUES ('milk', 1.5), ('eggs', 3)`
        const catalog = yield* CatalogRepo
        const purchases = yield* PurchasesRepo

        expect((yield* catalog.listProducts()).map((p) => [p.id, p.product_name, p.unit_price])).toEqual([
          [1, "milk", 150],
          [2, "eggs", 300]
        ])
        expect((yield* catalog.listBranches()).map((b) => b.code)).toEqual(["SMKT001"])

        // a group is stored in one statement, priced by the database, answered in the group's order
        const [stored, second] = (yield* purchases.insertGroup([
          { branch_id: BranchId.make(1), user_id: alice, product_ids: [ProductId.make(2), ProductId.make(1)] },
          { branch_id: BranchId.make(1), user_id: bob, product_ids: [ProductId.make(2)] }
        ])).map((s) => s.purchase) as [Purchase, Purchase]
        expect(stored.total_amount).toBe(450)
        expect(stored.items.map((i) => [i.product_name, i.unit_price])).toEqual([["milk", 150], ["eggs", 300]])
        expect(second.id).toBe(stored.id + 1)
        expect(yield* purchases.findById(stored.id)).toEqual(Option.some(stored))
        expect(yield* purchases.findById(second.id)).toEqual(Option.some(second))
        expect(Option.isNone(yield* purchases.findById(PurchaseId.make(999)))).toBe(true)

        // a group naming an unknown product or branch stores nothing of itself
        for (const bad of [{ branch: 1, product: 9 }, { branch: 7, product: 1 }]) {
          const refused = yield* purchases.insertGroup([
            { branch_id: BranchId.make(1), user_id: carol, product_ids: [ProductId.make(1)] },
            { branch_id: BranchId.make(bad.branch), user_id: carol, product_ids: [ProductId.make(bad.product)] }
          ]).pipe(Effect.flip)
          expect(refused._tag).toBe("SqlError")
        }
        expect(yield* sql`SELECT count(*)::int AS count FROM purchases`).toEqual([{ count: 2 }])
        expect(yield* sql`SELECT count(*)::int AS count FROM customers WHERE id = ${carol}`).toEqual([{ count: 0 }])

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
        expect(yield* analytics.uniqueCustomers()).toBe(2)
        expect(yield* analytics.loyalCustomers({ min_purchases: 1, limit: 10, after: undefined })).toEqual([
          { user_id: alice, purchase_count: 1 },
          { user_id: bob, purchase_count: 1 }
        ])
        expect(yield* analytics.loyalCustomers({ min_purchases: 2, limit: 10, after: undefined })).toEqual([])
        const top = yield* analytics.topProducts(3)
        expect(top.map((p) => [p.product_name, p.units_sold, p.revenue, p.rank])).toEqual([
          ["eggs", 2, 600, 1],
          ["milk", 1, 150, 2]
        ])
      }))

    it.effect("stores an Idempotency-Key with its purchase, answers a retry with it, and forgets expired keys", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const purchases = yield* PurchasesRepo
        const count = Effect.map(sql<{ n: number }>`SELECT count(*)::int AS n FROM purchases`, ([row]) => row!.n)
        const withKey = (key: string, fingerprint: string) => ({
          branch_id: BranchId.make(1),
          user_id: carol,
          product_ids: [ProductId.make(1)],
          idempotency: { key, fingerprint }
        })
        const before = yield* count
        const [first] = yield* purchases.insertGroup([withKey("k-1", "f")])
        expect(first!._tag).toBe("Stored")
        // a retry in a group with a new purchase: the retry is answered, the new one stored
        const [retry, other] = yield* purchases.insertGroup([withKey("k-1", "f"), withKey("k-2", "g")])
        expect(retry).toEqual({ _tag: "Replayed", purchase: first!.purchase, fingerprint: "f" })
        expect(other!._tag).toBe("Stored")
        expect(yield* count).toBe(before + 2)

        // the same new key twice at once: one purchase; the other is answered with it or refused by the key
        const [a, b] = yield* Effect.all(
          [purchases.insertGroup([withKey("k-3", "f")]), purchases.insertGroup([withKey("k-3", "f")])].map((write) =>
            Effect.either(write)
          ),
          { concurrency: "unbounded" }
        )
        expect(yield* count).toBe(before + 3)
        const outcomes = [a!, b!].map((o) =>
          o._tag === "Right" ? o.right[0]!._tag : (o.left.cause as { constraint?: string }).constraint
        )
        expect(outcomes.filter((o) => o === "Stored")).toHaveLength(1)
        expect(["Replayed", "idempotency_keys_pkey"]).toContain(outcomes.find((o) => o !== "Stored"))

        // expired keys are forgotten: the key then makes a new purchase
        expect(yield* purchases.forgetKeysBefore(new Date(Date.now() + 60_000))).toBe(3)
        const [again] = yield* purchases.insertGroup([withKey("k-1", "f")])
        expect(again!._tag).toBe("Stored")
        expect(yield* count).toBe(before + 4)
      }))
  })
}
