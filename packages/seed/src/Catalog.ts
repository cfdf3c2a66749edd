import { CatalogRepo } from "@icash/persistence"
import { Effect } from "effect"
import type { Catalog } from "./PurchaseFields.js"

/** The products as the database has them now, by name: what a purchases file is checked against. */
export const currentCatalog = Effect.gen(function*() {
  const products = yield* (yield* CatalogRepo).listProducts()
  const catalog: Catalog = new Map(
    products.map((product) => [product.product_name, { id: product.id, unit_price: product.unit_price }])
  )
  return catalog
})
