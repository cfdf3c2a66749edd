import { Schema } from "effect"
import { CustomerId, ProductId } from "./Ids.js"
import { Money } from "./Money.js"

export class UniqueCustomers extends Schema.Class<UniqueCustomers>("UniqueCustomers")({
  unique_customers: Schema.NonNegativeInt.annotations({ description: "Distinct customers across all branches" })
}) {}

export const MAX_PAGE_SIZE = 1000

const intParam = (name: string, min: number, max: number) => {
  const message = () => `${name} must be a whole number from ${min} to ${max}`
  return Schema.compose(
    Schema.NumberFromString.annotations({ message }),
    Schema.Int.annotations({ message }).pipe(Schema.between(min, max, { message }))
  )
}

export const LoyalCustomersParams = Schema.Struct({
  min_purchases: Schema.optionalWith(intParam("min_purchases", 1, 1_000_000), { default: () => 3, exact: true })
    .annotations({
      description: "A loyal customer has at least this many purchases (default 3)"
    }),
  limit: Schema.optionalWith(intParam("limit", 1, MAX_PAGE_SIZE), { default: () => 100, exact: true }).annotations({
    description: "Page size, 1 to 1000 (default 100)"
  }),
  cursor: Schema.optionalWith(Schema.String, { exact: true }).annotations({
    description: "The next_cursor of the previous page"
  })
})
export type LoyalCustomersParams = typeof LoyalCustomersParams.Type

export class LoyalCustomer extends Schema.Class<LoyalCustomer>("LoyalCustomer")({
  user_id: CustomerId,
  purchase_count: Schema.Int
}) {}

export class LoyalCustomersPage extends Schema.Class<LoyalCustomersPage>("LoyalCustomersPage")({
  min_purchases: Schema.Int,
  customers: Schema.Array(LoyalCustomer),
  next_cursor: Schema.NullOr(Schema.String).annotations({
    description: "Pass as cursor for the next page; null on the last"
  })
}, { description: "Loyal customers, most purchases first" }) {}

export const TopProductsParams = Schema.Struct({
  limit: Schema.optionalWith(intParam("limit", 1, MAX_PAGE_SIZE), { default: () => 3, exact: true }).annotations({
    description: "How many ranks to return (default 3); ties at the cut-off are all included"
  })
})
export type TopProductsParams = typeof TopProductsParams.Type

export class TopProduct extends Schema.Class<TopProduct>("TopProduct")({
  product_id: ProductId,
  product_name: Schema.String,
  units_sold: Schema.NonNegativeInt,
  revenue: Money,
  rank: Schema.Int.annotations({
    description: "1 for the best seller; products that sold the same share a rank (listed by product_id)"
  })
}) {}

export class TopProducts extends Schema.Class<TopProducts>("TopProducts")({
  limit: Schema.Int,
  products: Schema.Array(TopProduct)
}, { description: "Best sellers by units sold, ties at the cut-off included" }) {}
