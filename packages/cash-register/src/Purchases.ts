import { SqlClient } from "@effect/sql"
import {
  type CustomerId,
  customerId,
  DuplicateProducts,
  type NewPurchase,
  Purchase,
  type PurchaseId,
  PurchaseItem,
  PurchaseNotFound,
  UnknownBranch,
  UnknownProducts
} from "@icash/domain"
import { CatalogRepo, PurchasesRepo } from "@icash/persistence"
import { Effect, Metric, Option } from "effect"
import { randomUUID } from "node:crypto"
import { purchasesRecorded, salesAmount } from "./Metrics.js"
import { duplicateProductIds, priceItems, unknownProductIds } from "./Pricing.js"

/**
 * The purchase use case: validate, price from current prices, store in one transaction.
 * Every way of recording a purchase goes through `create`.
 */
export class Purchases extends Effect.Service<Purchases>()("cash-register/Purchases", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const catalog = yield* CatalogRepo
    const repo = yield* PurchasesRepo

    const validate = Effect.fn("Purchases.validate")(function*(input: NewPurchase) {
      const duplicates = duplicateProductIds(input.items)
      if (duplicates.length > 0) return yield* DuplicateProducts.of(duplicates)
      const branch = yield* catalog.findBranch(input.branch_id)
      if (Option.isNone(branch)) return yield* UnknownBranch.of(input.branch_id)
      const found = yield* catalog.findProducts(input.items.map((item) => item.product_id))
      const products = new Map(found.map((product) => [product.id, product]))
      const unknown = unknownProductIds(input.items, products)
      if (unknown.length > 0) return yield* UnknownProducts.of(unknown)
      return products
    })

    const create = Effect.fn("Purchases.create")(function*(input: NewPurchase) {
      const user_id: CustomerId = input.user_id ?? customerId(randomUUID())
      yield* Effect.annotateCurrentSpan({ "icash.branch_id": input.branch_id, "icash.item_count": input.items.length })
      return yield* Effect.gen(function*() {
        const products = yield* validate(input)
        const priced = yield* Effect.sync(() => priceItems(input.items, products)).pipe(
          Effect.withSpan("Purchases.price")
        )
        const stored = yield* repo.insert({
          branch_id: input.branch_id,
          user_id,
          total_amount: priced.total,
          items: priced.items.map(({ product, unit_price }) => ({ product_id: product.id, unit_price }))
        }).pipe(Effect.withSpan("Purchases.store"))
        return new Purchase({
          id: stored.id,
          branch_id: input.branch_id,
          user_id,
          timestamp: stored.timestamp,
          total_amount: priced.total,
          // listed by product id, as GET /purchases/{id} lists them
          items: priced.items
            .map(({ product, unit_price }) =>
              new PurchaseItem({ product_id: product.id, product_name: product.product_name, quantity: 1, unit_price })
            )
            .sort((a, b) => a.product_id - b.product_id)
        })
      }).pipe(
        sql.withTransaction,
        Effect.catchTag("SqlError", Effect.die),
        // counted once committed
        Effect.tap((purchase) =>
          Effect.all([
            Metric.increment(Metric.tagged(purchasesRecorded, "branch_id", String(purchase.branch_id))),
            Metric.incrementBy(
              Metric.tagged(salesAmount, "branch_id", String(purchase.branch_id)),
              purchase.total_amount / 100
            )
          ]))
      )
    })

    const find = Effect.fn("Purchases.find")(function*(id: PurchaseId) {
      const purchase = yield* repo.findById(id)
      if (Option.isNone(purchase)) return yield* PurchaseNotFound.of(id)
      return purchase.value
    })

    return { create, find } as const
  })
}) {}
