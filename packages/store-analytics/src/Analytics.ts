import {
  InvalidSalesQuery,
  LiveFigures,
  LoyalCustomer,
  LoyalCustomersPage,
  type LoyalCustomersParams,
  MAX_SALES_BUCKETS,
  Sales,
  SalesBucket,
  type SalesParams,
  TopProduct,
  TopProducts,
  type TopProductsParams,
  UniqueCustomers,
  UnknownBranch
} from "@icash/domain"
import { AnalyticsRepo } from "@icash/persistence"
import { DateTime, Duration, Effect, Option } from "effect"
import { decodeCursor, encodeCursor } from "./Cursor.js"

/** How many ranks of top products the live figures carry. */
const TOP_PRODUCTS_LIVE = 3

/** The range of a sales query that names no `from`. */
const DEFAULT_SALES_SPAN = { hour: Duration.hours(24), day: Duration.days(30) } as const

/** SQLSTATE 22023, invalid_parameter_value: what PostgreSQL says of a time zone it does not know. */
const isInvalidParameter = (error: { readonly cause?: unknown }) =>
  (error.cause as { readonly code?: unknown } | undefined)?.code === "22023"

/**
 * Each analytics query's span. Effect.fn and a bare withSpan capture a stack trace (a `new Error`)
 * on every call, to say where the span was made: without them, and without the repository's own
 * spans, Store Analytics answered 13–29% more requests a second (docs/PERFORMANCE.md).
 */
const traced = (name: string, attributes?: Record<string, unknown>) =>
  Effect.withSpan(`Analytics.${name}`, { captureStackTrace: false, attributes })

/**
 * The chain's analytics. Every figure includes each purchase whose POST has returned.
 * Answers are built from the repository's rows and the decoded request without being validated
 * again (the `true` of each constructor): checking a page of a hundred customers cost a tenth of
 * its request.
 */
export class Analytics extends Effect.Service<Analytics>()("store-analytics/Analytics", {
  effect: Effect.gen(function*() {
    const repo = yield* AnalyticsRepo

    const uniqueCustomers = () =>
      repo.uniqueCustomers().pipe(
        Effect.map((count) => new UniqueCustomers({ unique_customers: count }, true)),
        traced("uniqueCustomers")
      )

    const loyalCustomers = (params: LoyalCustomersParams) =>
      Effect.gen(function*() {
        const after = params.cursor === undefined ? undefined : yield* decodeCursor(params.cursor, params.min_purchases)
        // one row more than asked tells whether another page follows
        const rows = yield* repo.loyalCustomers({ min_purchases: params.min_purchases, limit: params.limit + 1, after })
        const page = rows.slice(0, params.limit)
        const last = page.at(-1)
        return new LoyalCustomersPage({
          min_purchases: params.min_purchases,
          customers: page.map((row) => new LoyalCustomer(row, true)),
          next_cursor: rows.length > params.limit && last !== undefined
            ? encodeCursor(params.min_purchases, last)
            : null
        }, true)
      }).pipe(traced("loyalCustomers"))

    const topProductsOf = (limit: number) =>
      Effect.map(
        repo.topProducts(limit),
        (rows) => new TopProducts({ limit, products: rows.map((row) => new TopProduct(row, true)) }, true)
      )

    const topProducts = (params: TopProductsParams) => topProductsOf(params.limit).pipe(traced("topProducts"))

    /** The live figures: totals, loyal customers at the default threshold, and the top 3 products. */
    const figures = () =>
      Effect.gen(function*() {
        const totals = yield* repo.figures()
        const top = yield* topProductsOf(TOP_PRODUCTS_LIVE)
        return new LiveFigures({
          version: totals.version,
          unique_customers: totals.customers,
          loyal_customers: totals.loyal_customers,
          purchases: totals.purchases,
          revenue: totals.revenue,
          top_products: top
        })
      }).pipe(traced("figures"))

    const sales = (params: SalesParams) =>
      Effect.gen(function*() {
        const to = params.to ?? (yield* DateTime.now)
        const from = params.from ?? DateTime.subtractDuration(to, DEFAULT_SALES_SPAN[params.bucket])
        const span = DateTime.distance(from, to)
        if (span <= 0) return yield* new InvalidSalesQuery({ message: "from must be before to" })
        const bucketMillis = params.bucket === "hour" ? 3_600_000 : 86_400_000
        if (span / bucketMillis > MAX_SALES_BUCKETS[params.bucket]) {
          return yield* new InvalidSalesQuery({
            message: `at most ${MAX_SALES_BUCKETS[params.bucket]} ${params.bucket} buckets per query: shorten the range`
          })
        }
        const found = yield* repo.sales({ from, to, bucket: params.bucket, tz: params.tz, branch_id: params.branch_id })
          .pipe(
            Effect.catchTag("SqlError", (error) =>
              isInvalidParameter(error)
                ? new InvalidSalesQuery({ message: `the database does not know the time zone ${params.tz}` })
                : Effect.die(error))
          )
        if (Option.isNone(found) && params.branch_id !== undefined) return yield* UnknownBranch.of(params.branch_id)
        const { buckets, last_sale_at } = Option.getOrElse(found, () => ({ buckets: [], last_sale_at: null }))
        return new Sales({
          from,
          to,
          bucket: params.bucket,
          tz: params.tz,
          branch_id: params.branch_id ?? null,
          last_sale_at,
          buckets: buckets.map((row) => new SalesBucket(row, true))
        }, true)
      }).pipe(traced("sales", { bucket: params.bucket, tz: params.tz }))

    return { uniqueCustomers, loyalCustomers, topProducts, figures, sales } as const
  })
}) {}
