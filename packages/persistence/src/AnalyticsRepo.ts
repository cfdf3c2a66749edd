import { SqlClient, SqlSchema } from "@effect/sql"
import { CustomerId, MoneyFromDecimalString, ProductId } from "@icash/domain"
import { Effect, Schema } from "effect"
import { Int8 } from "./Rows.js"

/** Where a page of loyal customers starts: right after this (purchase_count, user_id). */
export interface LoyalCustomersAfter {
  readonly purchase_count: number
  readonly user_id: CustomerId
}

const CountRow = Schema.Struct({ count: Int8 })

const LoyalRow = Schema.Struct({ user_id: CustomerId, purchase_count: Int8 })

const TopProductRow = Schema.Struct({
  product_id: ProductId,
  product_name: Schema.String,
  units_sold: Int8,
  revenue: MoneyFromDecimalString,
  rank: Int8
})

/** The analytics queries, answered from the purchases themselves: exact the moment a purchase commits. */
export class AnalyticsRepo extends Effect.Service<AnalyticsRepo>()("persistence/AnalyticsRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    const uniqueCustomers = SqlSchema.single({
      Request: Schema.Void,
      Result: CountRow,
      execute: () => sql`SELECT count(DISTINCT user_id) AS count FROM purchases`
    })

    const loyalCustomers = SqlSchema.findAll({
      Request: Schema.Any,
      Result: LoyalRow,
      execute: (q: { min_purchases: number; limit: number; after: LoyalCustomersAfter | undefined }) => {
        const after = q.after === undefined ? sql`` : sql`AND (count(*) < ${q.after.purchase_count}
                OR (count(*) = ${q.after.purchase_count} AND user_id > ${q.after.user_id}::uuid))`
        return sql`
          SELECT user_id::text, count(*) AS purchase_count
          FROM purchases
          GROUP BY user_id
          HAVING count(*) >= ${q.min_purchases}
          ${after}
          ORDER BY purchase_count DESC, user_id ASC
          LIMIT ${q.limit}`
      }
    })

    const topProducts = SqlSchema.findAll({
      Request: Schema.Number,
      Result: TopProductRow,
      execute: (limit) =>
        sql`
          WITH sales AS (
            SELECT product_id, count(*) AS units_sold, sum(unit_price) AS revenue
            FROM purchase_items GROUP BY product_id
          ), ranked AS (
            SELECT sales.*, rank() OVER (ORDER BY units_sold DESC) AS rank FROM sales
          )
          SELECT r.product_id, p.product_name, r.units_sold, r.revenue::text, r.rank
          FROM ranked r JOIN products p ON p.id = r.product_id
          WHERE r.rank <= ${limit}
          ORDER BY r.rank, r.product_id`
    })

    return {
      uniqueCustomers: () =>
        uniqueCustomers().pipe(
          Effect.map((row) => row.count),
          Effect.orDie,
          Effect.withSpan("AnalyticsRepo.uniqueCustomers")
        ),
      /** Customers with at least `min_purchases`, most purchases first then by id, starting after `after`. */
      loyalCustomers: (query: { min_purchases: number; limit: number; after: LoyalCustomersAfter | undefined }) =>
        loyalCustomers(query).pipe(Effect.orDie, Effect.withSpan("AnalyticsRepo.loyalCustomers")),
      /** Products by units sold with their competition rank (1, 2, 2, 4); every rank up to `limit`. */
      topProducts: (limit: number) =>
        topProducts(limit).pipe(Effect.orDie, Effect.withSpan("AnalyticsRepo.topProducts"))
    } as const
  })
}) {}
