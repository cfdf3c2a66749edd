import {
  LoyalCustomer,
  LoyalCustomersPage,
  type LoyalCustomersParams,
  TopProduct,
  TopProducts,
  type TopProductsParams,
  UniqueCustomers
} from "@icash/domain"
import { AnalyticsRepo } from "@icash/persistence"
import { Effect } from "effect"
import { decodeCursor, encodeCursor } from "./Cursor.js"

/** The chain's analytics. Every figure includes each purchase whose POST has returned. */
export class Analytics extends Effect.Service<Analytics>()("store-analytics/Analytics", {
  effect: Effect.gen(function*() {
    const repo = yield* AnalyticsRepo

    const uniqueCustomers = Effect.fn("Analytics.uniqueCustomers")(function*() {
      return new UniqueCustomers({ unique_customers: yield* repo.uniqueCustomers() })
    })

    const loyalCustomers = Effect.fn("Analytics.loyalCustomers")(function*(params: LoyalCustomersParams) {
      const after = params.cursor === undefined ? undefined : yield* decodeCursor(params.cursor, params.min_purchases)
      // one row more than asked tells whether another page follows
      const rows = yield* repo.loyalCustomers({ min_purchases: params.min_purchases, limit: params.limit + 1, after })
      const page = rows.slice(0, params.limit)
      const last = page.at(-1)
      return new LoyalCustomersPage({
        min_purchases: params.min_purchases,
        customers: page.map((row) => new LoyalCustomer(row)),
        next_cursor: rows.length > params.limit && last !== undefined ? encodeCursor(params.min_purchases, last) : null
      })
    })

    const topProducts = Effect.fn("Analytics.topProducts")(function*(params: TopProductsParams) {
      const rows = yield* repo.topProducts(params.limit)
      return new TopProducts({ limit: params.limit, products: rows.map((row) => new TopProduct(row)) })
    })

    return { uniqueCustomers, loyalCustomers, topProducts } as const
  })
}) {}
