import type { Cents, NewPurchaseItem, Product, ProductId } from "@icash/domain"
import { sumCents } from "@icash/domain"

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

export interface PricedItem {
  readonly product: Product
  readonly unit_price: Cents
}

/** Prices every item at its product's current price; the total is their exact sum. */
export const priceItems = (
  items: ReadonlyArray<NewPurchaseItem>,
  products: ReadonlyMap<ProductId, Product>
): { readonly items: ReadonlyArray<PricedItem>; readonly total: Cents } => {
  const priced = items.map((item) => {
    const product = products.get(item.product_id)
    if (product === undefined) throw new Error(`product ${item.product_id} was not validated`)
    return { product, unit_price: product.unit_price }
  })
  return { items: priced, total: sumCents(priced.map((item) => item.unit_price)) }
}
