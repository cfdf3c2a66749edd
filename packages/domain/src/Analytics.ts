import { Schema } from "effect"
import { BranchId, CustomerId, ProductId } from "./Ids.js"
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

/** The loyalty threshold of the live figures and of `/analytics/loyal-customers` by default. */
export const DEFAULT_LOYAL_MIN_PURCHASES = 3

/**
 * The chain's figures at one moment: the `data` of every `/analytics/stream` event. `version`
 * grows with every change the database committed; it is also the event's `id`.
 */
export class LiveFigures extends Schema.Class<LiveFigures>("LiveFigures")({
  version: Schema.NonNegativeInt.annotations({ description: "Grows with every committed change; the event id" }),
  unique_customers: Schema.NonNegativeInt,
  loyal_customers: Schema.NonNegativeInt.annotations({
    description: `Customers with at least ${DEFAULT_LOYAL_MIN_PURCHASES} purchases`
  }),
  purchases: Schema.NonNegativeInt.annotations({ description: "Purchases recorded, all branches" }),
  revenue: Money.annotations({ description: "Sum of all purchases' totals" }),
  top_products: TopProducts
}, { description: "The chain's live figures" }) {}

/** An IANA time zone name that this runtime knows (`Europe/Paris`, `UTC`, ...). */
// Names the runtime accepted, so that each is checked once: building an Intl.DateTimeFormat costs
// a quarter of a millisecond, more than the rest of a request's validation. Only real zones get in,
// so the set stays as small as the time zone database.
const knownTimeZones = new Set<string>()

const isTimeZone = (name: string) => {
  if (knownTimeZones.has(name)) return true
  try {
    new Intl.DateTimeFormat("en", { timeZone: name })
  } catch {
    return false
  }
  knownTimeZones.add(name)
  return true
}

export const TimeZone = Schema.String.pipe(
  Schema.filter(isTimeZone, { message: () => "tz must be an IANA time zone name, such as UTC or Europe/Paris" })
).annotations({ description: "IANA time zone name", examples: ["UTC", "Europe/Paris"] })

export const SalesBucketSize = Schema.Literal("hour", "day")
export type SalesBucketSize = typeof SalesBucketSize.Type

/** The longest range a sales query may span, per bucket size. */
export const MAX_SALES_BUCKETS = { hour: 24 * 31, day: 366 * 3 } as const

export const SalesParams = Schema.Struct({
  from: Schema.optionalWith(Schema.DateTimeUtc, { exact: true }).annotations({
    description: "Start of the range, ISO 8601 (default: 24 hours, or 30 days for day buckets, before `to`)"
  }),
  to: Schema.optionalWith(Schema.DateTimeUtc, { exact: true }).annotations({
    description: "End of the range (exclusive), ISO 8601 (default: now)"
  }),
  bucket: Schema.optionalWith(SalesBucketSize, { default: () => "hour" as const, exact: true }).annotations({
    description: "hour or day (default hour)"
  }),
  tz: Schema.optionalWith(TimeZone, { default: () => "UTC", exact: true }).annotations({
    description: "The time zone whose hours and days the buckets are (default UTC)"
  }),
  branch_id: Schema.optionalWith(Schema.compose(Schema.NumberFromString, BranchId), { exact: true }).annotations({
    description: "One branch; the whole chain when omitted"
  })
})
export type SalesParams = typeof SalesParams.Type

export class SalesBucket extends Schema.Class<SalesBucket>("SalesBucket")({
  start: Schema.DateTimeUtc.annotations({ description: "When the bucket starts, as an instant (UTC)" }),
  local_start: Schema.String.annotations({
    description: "When the bucket starts on the wall clock of tz, ISO 8601 without offset"
  }),
  purchases: Schema.NonNegativeInt,
  revenue: Money
}) {}

export class Sales extends Schema.Class<Sales>("Sales")({
  from: Schema.DateTimeUtc,
  to: Schema.DateTimeUtc,
  bucket: SalesBucketSize,
  tz: Schema.String,
  branch_id: Schema.NullOr(BranchId),
  last_sale_at: Schema.NullOr(Schema.DateTimeUtc).annotations({
    description: "When the branch's (or the chain's) latest purchase was made, to the quarter hour (the start of " +
      "its quarter hour, UTC), whatever the range; null before the first. A client whose range came back empty " +
      "can move to it."
  }),
  buckets: Schema.Array(SalesBucket).annotations({
    description: "Every bucket that starts in [from, to), empty ones included, in order"
  })
}, { description: "Purchases and revenue per time bucket" }) {}
