/**
 * The floor's analytics: what a straightforward hand-written `GET /analytics/*` costs on this
 * machine. The same statements as iCash's AnalyticsRepo on the same rollups, each prepared once
 * per connection (named, as iCash's PreparingClient names them from their second run), one
 * `pool.query` per request, rows mapped and `JSON.stringify`'d by hand, answers equal to iCash's
 * (the bench checks that). `npm run bench -- --part analytics` drives each endpoint on this floor
 * in turns with iCash.
 */
import type { IncomingMessage, ServerResponse } from "node:http"
import type pg from "pg"
import { parseCents } from "./validate.js"

type Send = (res: ServerResponse, status: number, body: unknown) => void

class BadRequest {
  constructor(readonly message: string) {}
}

/** A 422 and its body, as iCash answers it. */
class Unprocessable {
  constructor(readonly body: Record<string, unknown>) {}
}

const DEFAULT_LOYAL_MIN_PURCHASES = 3
const MAX_SALES_BUCKETS = { hour: 24 * 31, day: 366 * 3 } as const
const DEFAULT_SALES_SPAN_MS = { hour: 24 * 3_600_000, day: 30 * 86_400_000 } as const
const BUCKET_MS = { hour: 3_600_000, day: 86_400_000 } as const

const integer = (params: URLSearchParams, name: string, fallback: number, min: number, max: number) => {
  const text = params.get(name)
  if (text === null) return fallback
  const value = Number(text)
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new BadRequest(`${name} must be an integer from ${min} to ${max}`)
  }
  return value
}

const timeZones = new Set<string>()
const timeZone = (name: string) => {
  if (timeZones.has(name)) return name
  try {
    new Intl.DateTimeFormat("en", { timeZone: name })
  } catch {
    throw new BadRequest("tz must be an IANA time zone name, such as UTC or Europe/Paris")
  }
  timeZones.add(name)
  return name
}

const instant = (params: URLSearchParams, name: string) => {
  const text = params.get(name)
  if (text === null) return undefined
  const ms = Date.parse(text)
  if (Number.isNaN(ms)) throw new BadRequest(`${name} must be an ISO 8601 date-time`)
  return ms
}

/** iCash's cursor: base64url JSON of [min_purchases, purchase_count, user_id]. */
const decodeCursor = (cursor: string, minPurchases: number) => {
  let payload: unknown
  try {
    payload = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"))
  } catch {
    throw new BadRequest("cursor was not issued by this server")
  }
  if (
    !Array.isArray(payload) || payload.length !== 3 || payload[0] !== minPurchases ||
    !Number.isInteger(payload[1]) || payload[1] < minPurchases || typeof payload[2] !== "string"
  ) throw new BadRequest("cursor was not issued for this min_purchases")
  return { purchaseCount: payload[1] as number, userId: payload[2] as string }
}

const encodeCursor = (minPurchases: number, row: { user_id: string; purchase_count: number }) =>
  Buffer.from(JSON.stringify([minPurchases, row.purchase_count, row.user_id])).toString("base64url")

const customers = async (pool: pg.Pool) => {
  const { rows } = await pool.query<{ count: string }>({
    name: "customers",
    text: "SELECT customers AS count FROM chain_totals"
  })
  return { unique_customers: Number(rows[0]!.count) }
}

const loyalCustomers = async (pool: pg.Pool, params: URLSearchParams) => {
  const minPurchases = integer(params, "min_purchases", DEFAULT_LOYAL_MIN_PURCHASES, 1, 1_000_000)
  const limit = integer(params, "limit", 100, 1, 1000)
  const cursor = params.get("cursor")
  const after = cursor === null ? undefined : decodeCursor(cursor, minPurchases)
  const { rows } = after === undefined
    ? await pool.query<{ user_id: string; purchase_count: string }>({
      name: "loyal-first",
      text: `SELECT user_id::text, purchase_count FROM customer_stats
       WHERE purchase_count >= $1
       ORDER BY purchase_count DESC, customer_stats.user_id
       LIMIT $2`,
      values: [minPurchases, limit + 1]
    })
    : await pool.query<{ user_id: string; purchase_count: string }>({
      name: "loyal-after",
      text: `(SELECT user_id::text, purchase_count FROM customer_stats
        WHERE purchase_count = $1 AND user_id > $2::uuid
        ORDER BY customer_stats.user_id
        LIMIT $3)
       UNION ALL
       (SELECT user_id::text, purchase_count FROM customer_stats
        WHERE purchase_count < $1 AND purchase_count >= $4
        ORDER BY purchase_count DESC, customer_stats.user_id
        LIMIT $3)
       LIMIT $3`,
      values: [after.purchaseCount, after.userId, limit + 1, minPurchases]
    })
  const page = rows.slice(0, limit).map((row) => ({ user_id: row.user_id, purchase_count: Number(row.purchase_count) }))
  const last = page.at(-1)
  return {
    min_purchases: minPurchases,
    customers: page,
    next_cursor: rows.length > limit && last !== undefined ? encodeCursor(minPurchases, last) : null
  }
}

const topProducts = async (pool: pg.Pool, params: URLSearchParams) => {
  const limit = integer(params, "limit", 3, 1, 100)
  const { rows } = await pool.query<
    { product_id: number; product_name: string; units_sold: string; revenue: string; rank: string }
  >({
    name: "top-products",
    text: `WITH ranked AS (
       SELECT product_id, units_sold, revenue, rank() OVER (ORDER BY units_sold DESC) AS rank
       FROM product_sales WHERE units_sold > 0
     )
     SELECT r.product_id, p.product_name, r.units_sold, r.revenue::text, r.rank
     FROM ranked r JOIN products p ON p.id = r.product_id
     WHERE r.rank <= $1
     ORDER BY r.rank, r.product_id`,
    values: [limit]
  })
  return {
    limit,
    products: rows.map((row) => ({
      product_id: row.product_id,
      product_name: row.product_name,
      units_sold: Number(row.units_sold),
      revenue: parseCents(row.revenue) / 100,
      rank: Number(row.rank)
    }))
  }
}

const HOURS = `SELECT start, start + interval '1 hour' AS next
               FROM generate_series(date_trunc('hour', $1::timestamptz, $3), $2::timestamptz - interval '1 microsecond',
                                    interval '1 hour') AS start`

const DAYS = `SELECT start, next, first_hour, greatest(icash_hour(next), first_hour) AS last_hour
              FROM (SELECT day AT TIME ZONE $3 AS start, (day + interval '1 day') AT TIME ZONE $3 AS next
                    FROM generate_series(date_trunc('day', $1::timestamptz AT TIME ZONE $3),
                                         ($2::timestamptz - interval '1 microsecond') AT TIME ZONE $3,
                                         interval '1 day') AS day) days
              CROSS JOIN LATERAL (SELECT icash_hour(start - interval '1 microsecond') + interval '1 hour' AS first_hour) h`

// an hour sums its quarter hours; a day its whole hours and the quarter hours left at either end
const slotsOf = (bucket: "hour" | "day", branch: boolean) => {
  const [quarters, hours, where] = branch
    ? ["sales_by_quarter_hour", "sales_by_hour", "branch_id = $4 AND"]
    : ["chain_sales_by_quarter_hour", "chain_sales_by_hour", ""]
  return bucket === "hour"
    ? `SELECT purchases, revenue FROM ${quarters} WHERE ${where} slot >= b.start AND slot < b.next`
    : `SELECT purchases, revenue FROM ${hours} WHERE ${where} slot >= b.first_hour AND slot < b.last_hour
       UNION ALL
       SELECT purchases, revenue FROM ${quarters} WHERE ${where} slot >= b.start AND slot < b.first_hour
       UNION ALL
       SELECT purchases, revenue FROM ${quarters} WHERE ${where} slot >= b.last_hour AND slot < b.next`
}

const salesStatement = (bucket: "hour" | "day", branch: boolean) =>
  `SELECT b.start, to_char(b.start AT TIME ZONE $3, 'YYYY-MM-DD"T"HH24:MI:SS') AS local_start,
          coalesce(t.purchases, 0) AS purchases, coalesce(t.revenue, 0)::text AS revenue,
          (SELECT max(slot) FROM ${
    branch ? "sales_by_quarter_hour WHERE branch_id = $4" : "chain_sales_by_quarter_hour"
  })
            AS last_sale_at
   FROM (${bucket === "hour" ? HOURS : DAYS}) b
   CROSS JOIN LATERAL (SELECT sum(purchases) AS purchases, sum(revenue) AS revenue FROM (${
    slotsOf(bucket, branch)
  }) slots) t
   ${branch ? "WHERE EXISTS (SELECT FROM branches WHERE id = $4)" : ""}
   ORDER BY b.start`

const sales = async (pool: pg.Pool, params: URLSearchParams) => {
  const bucket = params.get("bucket") ?? "hour"
  if (bucket !== "hour" && bucket !== "day") throw new BadRequest("bucket must be hour or day")
  const tz = timeZone(params.get("tz") ?? "UTC")
  const branchId = params.has("branch_id") ? integer(params, "branch_id", 0, 1, 2_147_483_647) : undefined
  const to = instant(params, "to") ?? Date.now()
  const from = instant(params, "from") ?? to - DEFAULT_SALES_SPAN_MS[bucket]
  if (from >= to) throw new BadRequest("from must be before to")
  if ((to - from) / BUCKET_MS[bucket] > MAX_SALES_BUCKETS[bucket]) {
    throw new BadRequest(`at most ${MAX_SALES_BUCKETS[bucket]} ${bucket} buckets per query: shorten the range`)
  }
  const values: Array<unknown> = [new Date(from), new Date(to), tz]
  if (branchId !== undefined) values.push(branchId)
  const { rows } = await pool.query<
    { start: Date; local_start: string; purchases: string; revenue: string; last_sale_at: Date | null }
  >({
    name: `sales-${bucket}-${branchId === undefined ? "chain" : "branch"}`,
    text: salesStatement(bucket, branchId !== undefined),
    values
  })
  // a range always has a bucket: no row means no such branch
  if (rows.length === 0) {
    throw new Unprocessable({
      _tag: "UnknownBranch",
      branch_id: branchId,
      message: `branch ${branchId} does not exist`
    })
  }
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    bucket,
    tz,
    branch_id: branchId ?? null,
    last_sale_at: rows[0]!.last_sale_at?.toISOString() ?? null,
    buckets: rows.map((row) => ({
      start: row.start.toISOString(),
      local_start: row.local_start,
      purchases: Number(row.purchases),
      revenue: parseCents(row.revenue) / 100
    }))
  }
}

const ROUTES: Record<string, (pool: pg.Pool, params: URLSearchParams) => Promise<unknown>> = {
  "/analytics/customers": customers,
  "/analytics/loyal-customers": loyalCustomers,
  "/analytics/top-products": topProducts,
  "/analytics/sales": sales
}

/** Whether `GET path` is one of the analytics endpoints. */
export const isAnalyticsRoute = (path: string) => Object.hasOwn(ROUTES, path)

/**
 * Answers `GET /analytics/<route>`: 200 with the same JSON as iCash, 400 for a bad parameter, 422
 * for a branch that does not exist.
 */
export const answerAnalytics = async (pool: pg.Pool, req: IncomingMessage, res: ServerResponse, send: Send) => {
  const url = new URL(req.url ?? "/", "http://floor")
  try {
    send(res, 200, await ROUTES[url.pathname]!(pool, url.searchParams))
  } catch (error) {
    if (error instanceof Unprocessable) return send(res, 422, error.body)
    if (!(error instanceof BadRequest)) throw error
    send(res, 400, { _tag: "BadRequest", message: error.message })
  }
}
