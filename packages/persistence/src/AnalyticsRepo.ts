import { SqlClient } from "@effect/sql"
import {
  type Cents,
  type CustomerId,
  DEFAULT_LOYAL_MIN_PURCHASES,
  type ProductId,
  type SalesBucketSize
} from "@icash/domain"
import { DateTime, Effect, Option } from "effect"
import { centsOf, int8, type Int8Value, onlyRow } from "./Rows.js"

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

interface LoyalRow {
  readonly user_id: string
  readonly purchase_count: Int8Value
}

interface TopProductRow {
  readonly product_id: number
  readonly product_name: string
  readonly units_sold: Int8Value
  readonly revenue: string
  readonly rank: Int8Value
}

interface FiguresRow {
  readonly version: Int8Value
  readonly purchases: Int8Value
  readonly revenue: string
  readonly customers: Int8Value
  readonly loyal_customers: Int8Value
}

interface SalesRow {
  readonly start: Date
  readonly local_start: string
  readonly purchases: Int8Value
  readonly revenue: string
  readonly last_sale_at: Date | null
}

/** A range's buckets, and the start of the quarter hour of the latest purchase, in or out of the range. */
export interface SalesFound {
  readonly buckets: ReadonlyArray<{
    readonly start: DateTime.Utc
    readonly local_start: string
    readonly purchases: number
    readonly revenue: Cents
  }>
  readonly last_sale_at: DateTime.Utc | null
}

/**
 * The analytics queries, answered from the rollups (migration 0003) that the purchases' own
 * statements keep up to date: exact the moment a purchase commits, and a few indexed rows whatever
 * the size of the history.
 */
export class AnalyticsRepo extends Effect.Service<AnalyticsRepo>()("persistence/AnalyticsRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    // Rows are read with the plain mappers of Rows.ts rather than a Schema: these statements run on
    // every analytics request, and decoding a page of rows through Schema cost more than the rest
    // of the request. The columns' types and constraints already hold what a Schema would check.
    const uniqueCustomers = Effect.map(
      sql<{ readonly count: Int8Value }>`SELECT customers AS count FROM chain_totals`,
      (rows) => int8(onlyRow(rows).count)
    )

    // Pages in (purchase_count DESC, user_id) order. After a cursor, the rest of its purchase_count
    // and the lower counts are two range scans of the loyalty index, however deep the page.
    const loyalCustomers = (q: { min_purchases: number; limit: number; after: LoyalCustomersAfter | undefined }) =>
      Effect.map(
        q.after === undefined
          ? sql<LoyalRow>`
            SELECT user_id::text, purchase_count FROM customer_stats
            WHERE purchase_count >= ${q.min_purchases}
            ORDER BY purchase_count DESC, customer_stats.user_id
            LIMIT ${q.limit}`
          : sql<LoyalRow>`
            (SELECT user_id::text, purchase_count FROM customer_stats
             WHERE purchase_count = ${q.after.purchase_count} AND user_id > ${q.after.user_id}::uuid
             ORDER BY customer_stats.user_id
             LIMIT ${q.limit})
            UNION ALL
            (SELECT user_id::text, purchase_count FROM customer_stats
             WHERE purchase_count < ${q.after.purchase_count} AND purchase_count >= ${q.min_purchases}
             ORDER BY purchase_count DESC, customer_stats.user_id
             LIMIT ${q.limit})
            LIMIT ${q.limit}`,
        (rows) => rows.map((row) => ({ user_id: row.user_id as CustomerId, purchase_count: int8(row.purchase_count) }))
      )

    const topProducts = (limit: number) =>
      Effect.map(
        sql<TopProductRow>`
          WITH ranked AS (
            SELECT product_id, units_sold, revenue, rank() OVER (ORDER BY units_sold DESC) AS rank
            FROM product_sales WHERE units_sold > 0
          )
          SELECT r.product_id, p.product_name, r.units_sold, r.revenue::text, r.rank
          FROM ranked r JOIN products p ON p.id = r.product_id
          WHERE r.rank <= ${limit}
          ORDER BY r.rank, r.product_id`,
        (rows) =>
          rows.map((row) => ({
            product_id: row.product_id as ProductId,
            product_name: row.product_name,
            units_sold: int8(row.units_sold),
            revenue: centsOf(row.revenue),
            rank: int8(row.rank)
          }))
      )

    // One statement, so every figure is of the same moment.
    const figures = Effect.map(
      sql<FiguresRow>`
          SELECT version, purchases, revenue::text, customers,
                 (SELECT coalesce(sum(customers), 0) FROM customers_by_purchase_count
                  WHERE purchase_count >= ${DEFAULT_LOYAL_MIN_PURCHASES}) AS loyal_customers
          FROM chain_totals`,
      (rows) => {
        const row = onlyRow(rows)
        return {
          version: int8(row.version),
          purchases: int8(row.purchases),
          revenue: centsOf(row.revenue),
          customers: int8(row.customers),
          loyal_customers: int8(row.loyal_customers)
        }
      }
    )

    // Hourly buckets step through instants (a repeated hour at a DST change is two buckets) and sum
    // their quarter-hour slots. Daily buckets step through the zone's calendar days (23 or 25 hours
    // long at DST changes) and sum the whole UTC hours they span from the hourly rollups (0010),
    // and from the quarter hours only what is left at either end: [start, first_hour) and
    // [last_hour, next), empty in a zone whose offset is whole hours. No slot's local time is
    // worked out, which cost more than all the rest of the statement.
    const sales = (query: SalesQuery) => {
      const q = { ...query, from: new Date(query.from.epochMillis), to: new Date(query.to.epochMillis) }
      // A range always has a bucket, so no row at all means the branch does not exist.
      const [quarters, hours, branch, ofBranch, branchExists] = q.branch_id === undefined
        ? [sql`chain_sales_by_quarter_hour`, sql`chain_sales_by_hour`, sql``, sql``, sql``]
        : [
          sql`sales_by_quarter_hour`,
          sql`sales_by_hour`,
          sql`branch_id = ${q.branch_id} AND`,
          sql`WHERE branch_id = ${q.branch_id}`,
          sql`WHERE EXISTS (SELECT FROM branches WHERE id = ${q.branch_id})`
        ]
      const [buckets, slots] = q.bucket === "hour"
        ? [
          sql`SELECT start, start + interval '1 hour' AS next
              FROM generate_series(date_trunc('hour', ${q.from}::timestamptz, ${q.tz}),
                                   ${q.to}::timestamptz - interval '1 microsecond', interval '1 hour') AS start`,
          sql`SELECT purchases, revenue FROM ${quarters} WHERE ${branch} slot >= b.start AND slot < b.next`
        ]
        : [
          sql`SELECT start, next, first_hour, greatest(icash_hour(next), first_hour) AS last_hour
              FROM (SELECT day AT TIME ZONE ${q.tz} AS start, (day + interval '1 day') AT TIME ZONE ${q.tz} AS next
                    FROM generate_series(date_trunc('day', ${q.from}::timestamptz AT TIME ZONE ${q.tz}),
                                         (${q.to}::timestamptz - interval '1 microsecond') AT TIME ZONE ${q.tz},
                                         interval '1 day') AS day) days
              CROSS JOIN LATERAL (SELECT icash_hour(start - interval '1 microsecond') + interval '1 hour' AS first_hour) h`,
          sql`SELECT purchases, revenue FROM ${hours} WHERE ${branch} slot >= b.first_hour AND slot < b.last_hour
              UNION ALL
              SELECT purchases, revenue FROM ${quarters} WHERE ${branch} slot >= b.start AND slot < b.first_hour
              UNION ALL
              SELECT purchases, revenue FROM ${quarters} WHERE ${branch} slot >= b.last_hour AND slot < b.next`
        ]
      return Effect.map(
        sql<SalesRow>`
          SELECT b.start, to_char(b.start AT TIME ZONE ${q.tz}, 'YYYY-MM-DD"T"HH24:MI:SS') AS local_start,
                 coalesce(t.purchases, 0) AS purchases, coalesce(t.revenue, 0)::text AS revenue,
                 (SELECT max(slot) FROM ${quarters} ${ofBranch}) AS last_sale_at
          FROM (${buckets}) b
          CROSS JOIN LATERAL (SELECT sum(purchases) AS purchases, sum(revenue) AS revenue FROM (${slots}) slots) t
          ${branchExists}
          ORDER BY b.start`,
        (rows): Option.Option<SalesFound> =>
          rows.length === 0 ? Option.none() : Option.some({
            buckets: rows.map((row) => ({
              start: DateTime.unsafeFromDate(row.start),
              local_start: row.local_start,
              purchases: int8(row.purchases),
              revenue: centsOf(row.revenue)
            })),
            last_sale_at: rows[0]!.last_sale_at === null ? null : DateTime.unsafeFromDate(rows[0]!.last_sale_at)
          })
      )
    }

    // A statement of a request whose client went away is left to finish (they take milliseconds)
    // rather than cancelled: a cancel can reach the server after the statement ended and cancel
    // whatever the connection runs next, someone else's request. No span of their own: the
    // analytics query that calls each one has it, and the statement's span is its child.
    return {
      uniqueCustomers: () => uniqueCustomers.pipe(Effect.orDie, Effect.uninterruptible),
      /** Customers with at least `min_purchases`, most purchases first then by id, starting after `after`. */
      loyalCustomers: (query: { min_purchases: number; limit: number; after: LoyalCustomersAfter | undefined }) =>
        loyalCustomers(query).pipe(Effect.orDie, Effect.uninterruptible),
      /** Products by units sold with their competition rank (1, 2, 2, 4); every rank up to `limit`. */
      topProducts: (limit: number) => topProducts(limit).pipe(Effect.orDie, Effect.uninterruptible),
      /** The chain's totals and the loyal customers at the default threshold, at one moment. */
      figures: () => figures.pipe(Effect.orDie, Effect.uninterruptible),
      /**
       * Purchases and revenue per bucket, and when the latest sale was, or none when `branch_id`
       * names no branch; fails with the SqlError when the database rejects the time zone.
       */
      sales: (query: SalesQuery) => Effect.uninterruptible(sales(query))
    } as const
  })
}) {}
