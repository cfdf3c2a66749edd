import { DateTime, Schema } from "effect"
import { BranchId, CustomerId, ProductId, PurchaseId } from "./Ids.js"
import { Money } from "./Money.js"

/** At most one unit of a product per purchase: the only accepted quantity is 1. */
export const Quantity = Schema.Literal(1).annotations({
  message: () => "quantity must be 1: a purchase holds at most one unit of each product",
  description: "Always 1: one unit of a product at most per purchase"
})

export class NewPurchaseItem extends Schema.Class<NewPurchaseItem>("NewPurchaseItem")({
  product_id: ProductId,
  quantity: Schema.optionalWith(Quantity, { default: () => 1 as const, exact: true })
}) {}

export const MAX_ITEMS_PER_PURCHASE = 1000

export class NewPurchase extends Schema.Class<NewPurchase>("NewPurchase")({
  branch_id: BranchId,
  user_id: Schema.optionalWith(CustomerId, { exact: true }).annotations({
    description: "The customer's UUID v4; omit it for a new customer, who then gets a fresh one"
  }),
  items: Schema.Array(NewPurchaseItem).pipe(
    Schema.minItems(1, { message: () => "items must not be empty: a purchase needs at least one product" }),
    Schema.maxItems(MAX_ITEMS_PER_PURCHASE)
  )
}, { description: "A purchase as the cash register rings it up; the server prices it" }) {}

export class PurchaseItem extends Schema.Class<PurchaseItem>("PurchaseItem")({
  product_id: ProductId,
  product_name: Schema.String,
  quantity: Schema.Literal(1),
  unit_price: Money.annotations({ description: "Price at the time of sale" })
}) {}

export class Purchase extends Schema.Class<Purchase>("Purchase")({
  id: PurchaseId,
  branch_id: BranchId,
  user_id: CustomerId,
  timestamp: Schema.DateTimeUtc.annotations({ description: "When the purchase was stored, ISO 8601 UTC" }),
  total_amount: Money.annotations({ description: "Sum of the items' prices, computed by the server" }),
  items: Schema.Array(PurchaseItem)
}, { description: "A stored purchase" }) {}

/**
 * A purchase as `Schema.encode(Purchase)` writes it, by hand: the answer to every POST /purchases,
 * where Schema's encoding of a value already typed was about 6% of all a purchase allocates.
 * A test holds the two equal.
 */
export const encodePurchase = (purchase: Purchase): typeof Purchase.Encoded => ({
  id: purchase.id,
  branch_id: purchase.branch_id,
  user_id: purchase.user_id,
  timestamp: DateTime.formatIso(purchase.timestamp),
  total_amount: purchase.total_amount / 100,
  items: purchase.items.map((item) => ({
    product_id: item.product_id,
    product_name: item.product_name,
    quantity: item.quantity,
    unit_price: item.unit_price / 100
  }))
})

/** Printable ASCII, 1 to 255 characters: a client's name for one purchase, reused on its retries. */
export const IdempotencyKey = Schema.String.pipe(
  Schema.pattern(/^[\x20-\x7e]{1,255}$/, {
    message: () => "Idempotency-Key must be 1 to 255 printable ASCII characters"
  })
).annotations({
  description: "A key of the client's choosing (a UUID is best), the same on every retry of one purchase",
  examples: ["6f1c2a8e-4a1e-4c55-9a57-2f0b1d3c4e5f"]
})

export const PurchaseHeaders = Schema.Struct({
  "idempotency-key": Schema.optional(IdempotencyKey)
})
