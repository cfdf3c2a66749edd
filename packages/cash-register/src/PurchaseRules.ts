import {
  DuplicateProducts,
  type NewPurchase,
  type NewPurchaseItem,
  type Product,
  type ProductId,
  UnknownBranch,
  UnknownProducts
} from "@icash/domain"
import type { CatalogSnapshot } from "./Catalog.js"

/** Product ids that appear more than once, each named once, in order of first repetition. */
export const duplicateProductIds = (items: ReadonlyArray<NewPurchaseItem>): ReadonlyArray<ProductId> => {
  const seen = new Set<ProductId>()
  const repeated = new Set<ProductId>()
  for (const { product_id } of items) {
    if (seen.has(product_id)) repeated.add(product_id)
    seen.add(product_id)
  }
  return [...repeated]
}

/** Product ids of `items` that are not in the catalogue `products`. */
export const unknownProductIds = (
  items: ReadonlyArray<NewPurchaseItem>,
  products: ReadonlyMap<ProductId, Product>
): ReadonlyArray<ProductId> => items.map((item) => item.product_id).filter((id) => !products.has(id))

/** What is wrong with a purchase against the catalogue, if anything; the database does the pricing. */
export const problemWith = (
  input: NewPurchase,
  catalog: CatalogSnapshot
): DuplicateProducts | UnknownBranch | UnknownProducts | undefined => {
  const duplicates = duplicateProductIds(input.items)
  if (duplicates.length > 0) return DuplicateProducts.of(duplicates)
  if (!catalog.branchById.has(input.branch_id)) return UnknownBranch.of(input.branch_id)
  const unknown = unknownProductIds(input.items, catalog.productById)
  if (unknown.length > 0) return UnknownProducts.of(unknown)
  return undefined
}
