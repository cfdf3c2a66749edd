import { SqlClient, SqlSchema } from "@effect/sql"
import {
  CustomerId,
  DEFAULT_LOYAL_MIN_PURCHASES,
  MoneyFromDecimalString,
  ProductId,
  type SalesBucketSize
} from "@icash/domain"
import { type DateTime, Effect, Schema } from "effect"
import { Int8, Timestamp } from "./Rows.js"

/** Where a page of loyal customers starts: right after this (purchase_count, user_id). */
export interface LoyalCustomersAfter {
  readonly purchase_count: number
  readonly user_id: CustomerId
}

export interface SalesQuery {
  readonly from: DateTime.Utc
  readonly to: DateTime.Utc
  readonly bucket: SalesBucketSize
  readonly tz: string
  readonly branch_id: number | undefined
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

const FiguresRow = Schema.Struct({
  version: Int8,
  purchases: Int8,
  revenue: MoneyFromDecimalString,
  customers: Int8,
  loyal_customers: Int8
})

const SalesRow = Schema.Struct({
  start: Timestamp,
  local_start: Schema.String,
  purchases: Int8,
  revenue: MoneyFromDecimalString
})

/**
 * The analytics queries, answered from the rollups (migration 0003) that the purchases' own
 * statements keep up to date: exact the moment a purchase commits, and a few indexed rows whatever
 * the size of the history.
 */
export class AnalyticsRepo extends Effect.Service<AnalyticsRepo>()("persistence/AnalyticsRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    const uniqueCustomers = SqlSchema.single({
      Request: Schema.Void,
      Result: CountRow,
      execute: () => sql`SELECT customers AS count FROM chain_totals`
    })

    // Pages in (purchase_count DESC, user_id) order. After a cursor, the rest of its purchase_count
    // and the lower counts are two range scans of the loyalty index, however deep the page.
    const loyalCustomers = SqlSchema.findAll({
      Request: Schema.Any,
      Result: LoyalRow,
      execute: (q: { min_purchases: number; limit: number; after: LoyalCustomersAfter | undefined }) =>
        q.after === undefined
          ? sql`
            SELECT user_id::text, purchase_count FROM customer_stats
            WHERE purchase_count >= ${q.min_purchases}
            ORDER BY purchase_count DESC, customer_stats.user_id
            LIMIT ${q.limit}`
          : sql`
            (SELECT user_id::text, purchase_count FROM customer_stats
             WHERE purchase_count = ${q.after.purchase_count} AND user_id > ${q.after.user_id}::uuid
             ORDER BY customer_stats.user_id
             LIMIT ${q.limit})
            UNION ALL
            (SELECT user_id::text, purchase_count FROM customer_stats
             WHERE purchase_count < ${q.after.purchase_count} AND purchase_count >= ${q.min_purchases}
             ORDER BY purchase_count DESC, customer_stats.user_id
             LIMIT ${q.limit})
            LIMIT ${q.limit}`
    })

    const topProducts = SqlSchema.findAll({
      Request: Schema.Number,
      Result: TopProductRow,
      execute: (limit) =>
        sql`
          WITH ranked AS (
            SELECT product_id, units_sold, revenue, rank() OVER (ORDER BY units_sold DESC) AS rank
            FROM product_sales WHERE units_sold > 0
          )
          SELECT r.product_id, p.product_name, r.units_sold, r.revenue::text, r.rank
          FROM ranked r JOIN products p ON p.id = r.product_id
          WHERE r.rank <= ${limit}
          ORDER BY r.rank, r.product_id`
    })

    // One statement, so every figure is of the same moment.
    const figures = SqlSchema.single({
      Request: Schema.Void,
      Result: FiguresRow,
      execute: () =>
        sql`
          SELECT version, purchases, revenue::text, customers,
                 (SELECT coalesce(sum(customers), 0) FROM customers_by_purchase_count
                  WHERE purchase_count >= ${DEFAULT_LOYAL_MIN_PURCHASES}) AS loyal_customers
          FROM chain_totals`
    })

    // Hourly buckets step through instants (a repeated hour at a DST change is two buckets);
    // daily buckets through the zone's calendar days (23 or 25 hours long at DST changes). Each
    // bucket sums its range of quarter-hour slots by the slots' index: no slot's local time is
    // worked out, which cost more than all the rest of the statement.
    const sales = SqlSchema.findAll({
      Request: Schema.Any,
      Result: SalesRow,
      execute: (q: SalesQuery & { from: Date; to: Date }) => {
        const buckets = q.bucket === "hour"
          ? sql`SELECT start, start + interval '1 hour' AS next
                FROM generate_series(date_trunc('hour', ${q.from}::timestamptz, ${q.tz}),
                                     ${q.to}::timestamptz - interval '1 microsecond', interval '1 hour') AS start`
          : sql`SELECT day AT TIME ZONE ${q.tz} AS start, (day + interval '1 day') AT TIME ZONE ${q.tz} AS next
                FROM generate_series(date_trunc('day', ${q.from}::timestamptz AT TIME ZONE ${q.tz}),
                                     (${q.to}::timestamptz - interval '1 microsecond') AT TIME ZONE ${q.tz},
                                     interval '1 day') AS day`
        const slots = q.branch_id === undefined
          ? sql`SELECT purchases, revenue FROM chain_sales_by_quarter_hour WHERE slot >= b.start AND slot < b.next`
          : sql`SELECT purchases, revenue FROM sales_by_quarter_hour
                WHERE branch_id = ${q.branch_id} AND slot >= b.start AND slot < b.next`
        return sql`
          SELECT b.start, to_char(b.start AT TIME ZONE ${q.tz}, 'YYYY-MM-DD"T"HH24:MI:SS') AS local_start,
                 coalesce(t.purchases, 0) AS purchases, coalesce(t.revenue, 0)::text AS revenue
          FROM (${buckets}) b
          CROSS JOIN LATERAL (SELECT sum(purchases) AS purchases, sum(revenue) AS revenue FROM (${slots}) slots) t
          ORDER BY b.start`
      }
    })

    // A statement of a request whose client went away is left to finish (they take milliseconds)
    // rather than cancelled: a cancel can reach the server after the statement ended and cancel
    // whatever the connection runs next, someone else's request.
    return {
      uniqueCustomers: () =>
        uniqueCustomers().pipe(
          Effect.map((row) => row.count),
          Effect.orDie,
          Effect.uninterruptible,
          Effect.withSpan("AnalyticsRepo.uniqueCustomers")
        ),
      /** Customers with at least `min_purchases`, most purchases first then by id, starting after `after`. */
      loyalCustomers: (query: { min_purchases: number; limit: number; after: LoyalCustomersAfter | undefined }) =>
        loyalCustomers(query).pipe(
          Effect.orDie,
          Effect.uninterruptible,
          Effect.withSpan("AnalyticsRepo.loyalCustomers")
        ),
      /** Products by units sold with their competition rank (1, 2, 2, 4); every rank up to `limit`. */
      topProducts: (limit: number) =>
        topProducts(limit).pipe(Effect.orDie, Effect.uninterruptible, Effect.withSpan("AnalyticsRepo.topProducts")),
      /** The chain's totals and the loyal customers at the default threshold, at one moment. */
      figures: () => figures().pipe(Effect.orDie, Effect.uninterruptible, Effect.withSpan("AnalyticsRepo.figures")),
      /** Purchases and revenue per bucket; fails with the SqlError when the database rejects the time zone. */
      sales: (query: SalesQuery) =>
        sales({ ...query, from: new Date(query.from.epochMillis), to: new Date(query.to.epochMillis) }).pipe(
          Effect.catchTag("ParseError", Effect.die),
          Effect.uninterruptible,
          Effect.withSpan("AnalyticsRepo.sales", { attributes: { bucket: query.bucket, tz: query.tz } })
        )
    } as const
  })
}) {}
