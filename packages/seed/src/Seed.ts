import { NodeContext } from "@effect/platform-node"
import { CatalogRepo, ImportRepo } from "@icash/persistence"
import { Effect, Layer } from "effect"
import { loadProducts, type ProductsLoaded } from "./LoadProducts.js"
import { loadPurchases, type PurchasesLoaded } from "./LoadPurchases.js"

export interface SeedFiles {
  readonly products: string
  readonly purchases: string
}

export interface SeedSummary {
  readonly products: ProductsLoaded
  readonly purchases: PurchasesLoaded
}

/**
 * Loads the iCash files: the products first (committed on their own), then the purchases, which
 * name them. A bad purchases file leaves the products loaded and writes nothing of itself.
 */
export const seed = Effect.fn("Seed.run")(function*(files: SeedFiles) {
  const products = yield* loadProducts(files.products)
  const purchases = yield* loadPurchases(files.purchases)
  const summary: SeedSummary = { products, purchases }
  return summary
})

/** What `seed` runs on, given a database (a migrated SqlClient). */
export const SeedLive = Layer.mergeAll(ImportRepo.Default, CatalogRepo.Default, NodeContext.layer)
