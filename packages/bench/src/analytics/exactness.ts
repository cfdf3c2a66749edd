/**
 * After the run, with nothing writing any more: the answers of the analytics (read from the
 * rollups) against the same figures computed directly from the purchases and their items.
 */
import { withClient } from "../database.js"
import type { Endpoint } from "./endpoints.js"
import { getJson, type Headers, keepAliveAgent } from "./http.js"
import { openStream } from "./stream.js"

export interface Check {
  readonly name: string
  readonly ok: boolean
  /** Both sides, shortened, when they differ. */
  readonly detail: string
}

const cents = (amount: number | string) => Math.round(Number(amount) * 100)

const check = (name: string, api: unknown, sql: unknown): Check => {
  const a = JSON.stringify(api)
  const s = JSON.stringify(sql)
  return { name, ok: a === s, detail: a === s ? "" : `API ${a.slice(0, 300)} / SQL ${s.slice(0, 300)}` }
}

interface ProductRow {
  readonly product_id: number
  readonly units_sold: number
  readonly revenue: number | string
  readonly rank: number
}

/** Products as compared: "id units cents rank", in rank then id order. */
export const productKeys = (rows: ReadonlyArray<ProductRow>) =>
  rows.map((row) => `${row.product_id} ${Number(row.units_sold)} ${cents(row.revenue)} ${Number(row.rank)}`)

interface BucketRow {
  readonly local_start: string
  readonly purchases: number | string
  readonly revenue: number | string
}

/** Buckets as compared: "local start purchases cents", empty buckets left out. */
export const bucketKeys = (rows: ReadonlyArray<BucketRow>) =>
  rows.filter((row) => Number(row.purchases) > 0).map((row) =>
    `${row.local_start} ${Number(row.purchases)} ${cents(row.revenue)}`
  )

/** [from, to) of whole UTC units (hours or days) ending with the one `now` is in. */
export const wholeRange = (now: Date, unitMs: number, units: number) => {
  const to = new Date((Math.floor(now.getTime() / unitMs) + 1) * unitMs)
  return { from: new Date(to.getTime() - units * unitMs), to }
}

const HOUR = 3_600_000
const DAY = 24 * HOUR

export const checkExactness = async (options: {
  readonly analyticsUrl: string
  readonly databaseUrl: string
  readonly branch: number
  readonly now: Date
  readonly headers: Headers
}): Promise<ReadonlyArray<Check>> => {
  const agent = keepAliveAgent(2)
  const api = <A>(path: string) => getJson<A>(agent, `${options.analyticsUrl}${path}`, options.headers)
  const days = wholeRange(options.now, DAY, 30)
  const hours = wholeRange(options.now, HOUR, 24)
  const salesPath = (range: { from: Date; to: Date }, bucket: string, branch?: number) =>
    `/analytics/sales?bucket=${bucket}&tz=UTC&from=${range.from.toISOString()}&to=${range.to.toISOString()}${
      branch === undefined ? "" : `&branch_id=${branch}`
    }`

  const stream = await openStream(`${options.analyticsUrl}/analytics/stream`, options.headers)
  const live = await stream.first(() => true, 5000)
  stream.close()
  const customers = await api<{ unique_customers: number }>("/analytics/customers")
  const loyalPage = await api<{ customers: ReadonlyArray<{ user_id: string; purchase_count: number }> }>(
    "/analytics/loyal-customers?min_purchases=3&limit=100"
  )
  const top = await api<{ products: ReadonlyArray<ProductRow> }>("/analytics/top-products?limit=1000")
  const salesDays = await api<{ buckets: ReadonlyArray<BucketRow> }>(salesPath(days, "day"))
  const salesHours = await api<{ buckets: ReadonlyArray<BucketRow> }>(salesPath(hours, "hour", options.branch))
  agent.destroy()

  return withClient(options.databaseUrl, async (client) => {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    await client.query("SET LOCAL work_mem = '256MB'")
    const perCustomer = (await client.query<{ customers: string; loyal: string; first_page: unknown }>(
      `WITH per AS MATERIALIZED (SELECT user_id, count(*) AS n FROM purchases GROUP BY user_id)
       SELECT (SELECT count(*) FROM per) AS customers, (SELECT count(*) FROM per WHERE n >= 3) AS loyal,
              (SELECT coalesce(json_agg(json_build_object('user_id', user_id, 'purchase_count', n)), '[]')
               FROM (SELECT user_id, n FROM per WHERE n >= 3 ORDER BY n DESC, user_id LIMIT 100) page) AS first_page`
    )).rows[0]!
    const totals = (await client.query<{ purchases: string; revenue: string }>(
      "SELECT count(*) AS purchases, coalesce(sum(total_amount), 0)::text AS revenue FROM purchases"
    )).rows[0]!
    const products = (await client.query<ProductRow>(
      `SELECT product_id, sum(quantity) AS units_sold, sum(unit_price * quantity)::text AS revenue,
              rank() OVER (ORDER BY sum(quantity) DESC) AS rank
       FROM purchase_items GROUP BY product_id ORDER BY rank, product_id`
    )).rows
    const buckets = (unit: "day" | "hour", range: { from: Date; to: Date }, branch?: number) =>
      client.query<BucketRow>(
        `SELECT to_char(date_trunc($1, "timestamp" AT TIME ZONE 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS') AS local_start,
                count(*) AS purchases, sum(total_amount)::text AS revenue
         FROM purchases WHERE "timestamp" >= $2 AND "timestamp" < $3 AND ($4::int IS NULL OR supermarket_id = $4)
         GROUP BY 1 ORDER BY 1`,
        [unit, range.from, range.to, branch ?? null]
      ).then((result) => result.rows)
    const sqlDays = await buckets("day", days)
    const sqlHours = await buckets("hour", hours, options.branch)
    await client.query("COMMIT")

    const itemsRevenue = products.reduce((sum, row) => sum + cents(row.revenue), 0)
    const loyal = perCustomer.first_page as ReadonlyArray<{ user_id: string; purchase_count: number }>
    return [
      check("unique customers", customers.unique_customers, Number(perCustomer.customers)),
      check("loyal customers (3+), live figures", live?.figures.loyal_customers, Number(perCustomer.loyal)),
      check(
        "purchases and revenue, live figures",
        live === undefined ? undefined : [live.figures.purchases, cents(live.figures.revenue)],
        [Number(totals.purchases), cents(totals.revenue)]
      ),
      check("unique customers, live figures", live?.figures.unique_customers, Number(perCustomer.customers)),
      check(
        "loyal customers, first page",
        loyalPage.customers.map((c) => `${c.user_id} ${c.purchase_count}`),
        loyal.map((c) => `${c.user_id} ${c.purchase_count}`)
      ),
      check("top products", productKeys(top.products), productKeys(products)),
      check("purchases' totals = their items", cents(totals.revenue), itemsRevenue),
      check("sales, days of 30 d, chain", bucketKeys(salesDays.buckets), bucketKeys(sqlDays)),
      check(`sales, hours of 24 h, branch ${options.branch}`, bucketKeys(salesHours.buckets), bucketKeys(sqlHours))
    ]
  })
}

/**
 * The floor's answer to each measured request equals iCash's, so both did the same work. A sales
 * request is asked with one `to` for both (by default it is the moment of the request, and an hour
 * or a day could turn between the two).
 */
export const checkFloorAgrees = async (options: {
  readonly icashUrl: string
  readonly floorUrl: string
  readonly endpoints: ReadonlyArray<Endpoint>
  readonly headers: Headers
}): Promise<ReadonlyArray<Check>> => {
  const agent = keepAliveAgent(2)
  const to = encodeURIComponent(new Date().toISOString())
  const answer = async (baseUrl: string, path: string) =>
    JSON.stringify(
      await getJson(
        agent,
        `${baseUrl}${path}${path.startsWith("/analytics/sales") ? `&to=${to}` : ""}`,
        options.headers
      )
    )
  try {
    const checks: Array<Check> = []
    for (const endpoint of options.endpoints) {
      const icash = await answer(options.icashUrl, endpoint.path)
      const floor = await answer(options.floorUrl, endpoint.path)
      checks.push({
        name: `floor = iCash, ${endpoint.name}`,
        ok: icash === floor,
        detail: icash === floor ? "" : `iCash ${icash.slice(0, 300)} / floor ${floor.slice(0, 300)}`
      })
    }
    return checks
  } finally {
    agent.destroy()
  }
}
