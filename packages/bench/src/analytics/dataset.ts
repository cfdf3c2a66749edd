/**
 * The analytics part's history, generated in SQL on the server rather than through the API: a
 * fresh database migrated and seeded as users do it (`npm run migrate`, `npm run seed`), then
 * customers, then purchases in slices of one statement each (purchases and their items together,
 * so each slice is one transaction and the rollup triggers fold it once), then VACUUM ANALYZE.
 *
 * - Purchases are spread over the year before the generation, in purchase-id order, across the
 *   branches; each holds 1–4 distinct products at their current prices (one of 4,096 baskets drawn
 *   with a skewed product popularity), and its total_amount is the sum of its items.
 * - Every customer buys at least once (when there are at least twice as many purchases as
 *   customers): those first purchases are spread evenly over the year. The other purchases draw
 *   their customer with a skew, so that a few thousand customers have dozens of purchases and most
 *   have a handful.
 * - Customer ids are UUID v4 derived from md5 of the seed and the customer's number, and
 *   `setseed` makes `random()` repeatable: the same options give the same history.
 *
 * A complete dataset is marked by a comment on its database (sizes and when it was made), so a kept
 * one can be reused with `--dataset-db` and an interrupted one is never mistaken for one.
 */
import type pg from "pg"
import { databaseUrl, prepareDatabase, withClient } from "../database.js"

/** Purchases per statement. */
export const SLICE_PURCHASES = 500_000

/** The baskets purchases draw from. */
const BASKETS = 4096

/** How skewed loyalty is: the most loyal customer buys about 1/(2·SKEW_FLOOR) times the average. */
const SKEW_FLOOR = 0.025

export interface DatasetMarker {
  readonly purchases: number
  readonly customers: number
  readonly seed: number
  readonly generatedAt: string
  readonly generationSeconds: number
}

const MARKER_KEY = "icashBenchDataset"

export const markerComment = (marker: DatasetMarker) => JSON.stringify({ [MARKER_KEY]: marker })

/** The marker in a database's comment; undefined when the comment is not one. */
export const parseMarker = (comment: string | null | undefined): DatasetMarker | undefined => {
  try {
    const value = (JSON.parse(comment ?? "") as Record<string, unknown>)[MARKER_KEY] as DatasetMarker | undefined
    return typeof value?.purchases === "number" && typeof value.customers === "number" ? value : undefined
  } catch {
    return undefined
  }
}

/** Purchase numbers 1..total cut into slices of at most `size`, both ends included. */
export const slices = (total: number, size: number): ReadonlyArray<{ readonly first: number; readonly last: number }> =>
  Array.from({ length: Math.ceil(total / size) }, (_, i) => ({
    first: i * size + 1,
    last: Math.min(total, (i + 1) * size)
  }))

/** How many customers get a first purchase spread over the year: all, if purchases allow it. */
export const coveredCustomers = (purchases: number, customers: number) => Math.min(customers, Math.floor(purchases / 2))

/** A value for `setseed` (-1..1) from the bench's seed. */
export const setseedValue = (seed: number) => (seed % 1_000_003) / 1_000_003

/** SQL: the UUID v4 of customer number `ix` (an SQL expression) of the dataset made with `seed`. */
const customerId = (seed: number, ix: string) =>
  `overlay(overlay(md5('icash-bench-${seed}-' || ${ix}) placing '4' from 13)` +
  ` placing substr('89ab', 1 + (${ix} % 4)::int, 1) from 17)::uuid`

const SETUP = (seed: number) => [
  "SET synchronous_commit = off",
  "SET work_mem = '256MB'",
  `SELECT setseed(${setseedValue(seed)})`,
  // products by a random popularity rank, weight 1/rank^0.8
  `CREATE TEMP TABLE bench_products AS
     SELECT id, unit_price, 1.0 / power(row_number() OVER (ORDER BY random()), 0.8) AS weight FROM products`,
  // baskets of 1-4 distinct products, drawn by weight without replacement (exponential keys)
  `CREATE TEMP TABLE bench_baskets AS
     SELECT b AS basket, p.id AS product_id, p.unit_price
     FROM generate_series(1, ${BASKETS}) b
     CROSS JOIN LATERAL (SELECT 1 + floor(random() * least(4, (SELECT count(*) FROM products)))::int + b * 0 AS n) n
     CROSS JOIN LATERAL (
       SELECT id, unit_price FROM bench_products ORDER BY -ln(1 - random()) / weight + b * 0 LIMIT n.n
     ) p`,
  `CREATE TEMP TABLE bench_basket_totals AS SELECT basket, sum(unit_price) AS total FROM bench_baskets GROUP BY basket`,
  "ALTER TABLE bench_basket_totals ADD PRIMARY KEY (basket)",
  "ANALYZE bench_baskets",
  "ANALYZE bench_basket_totals"
]

/** SQL: a number in [0, 1) drawn with density ∝ 1/√x (above SKEW_FLOOR²): low customer numbers buy often. */
const SKEWED = `(power(${SKEW_FLOOR} + ${1 - SKEW_FLOOR} * random(), 2) - ${SKEW_FLOOR ** 2}) / ${1 - SKEW_FLOOR ** 2}`

const INSERT_CUSTOMERS = (seed: number) =>
  `INSERT INTO customers (id, first_seen_at)
   SELECT ${customerId(seed, "ix")}, $3::timestamptz FROM generate_series($1::bigint, $2::bigint) AS ix
   ON CONFLICT (id) DO NOTHING`

// $1 first, $2 last purchase number; $3 purchases, $4 customers, $5 covered customers, $6 start of the
// year, $7 end of it, $8 branch ids
const INSERT_SLICE = (seed: number) =>
  `WITH draw AS MATERIALIZED (
     SELECT nextval(pg_get_serial_sequence('purchases', 'id')) AS id,
            ($8::int[])[1 + floor(random() * cardinality($8::int[]))::int] AS branch_id,
            CASE WHEN i * $5::bigint / $3::bigint > (i - 1) * $5::bigint / $3::bigint
                 THEN i * $5::bigint / $3::bigint
                 ELSE least($4::bigint, 1 + floor($4::bigint * ${SKEWED})::bigint)
            END AS customer,
            $6::timestamptz + (i - random()) * (($7::timestamptz - $6::timestamptz) / $3::bigint) AS ts,
            1 + floor(random() * ${BASKETS})::int AS basket
     FROM generate_series($1::bigint, $2::bigint) AS i
   ), new_purchases AS (
     INSERT INTO purchases (id, supermarket_id, user_id, "timestamp", total_amount) OVERRIDING SYSTEM VALUE
     SELECT d.id, d.branch_id, ${customerId(seed, "d.customer")}, d.ts, t.total
     FROM draw d JOIN bench_basket_totals t USING (basket)
   )
   INSERT INTO purchase_items (purchase_id, product_id, quantity, unit_price)
   SELECT d.id, b.product_id, 1, b.unit_price FROM draw d JOIN bench_baskets b USING (basket)`

export interface Dataset {
  readonly name: string
  readonly url: string
  readonly generated: boolean
  readonly marker: DatasetMarker
}

interface Context {
  readonly repoRoot: string
  readonly adminUrl: string
  readonly progress: (message: string) => void
}

const count = (n: number) => n.toLocaleString("en-US")
const minutes = (ms: number) => (ms < 120_000 ? `${(ms / 1000).toFixed(0)} s` : `${(ms / 60_000).toFixed(1)} min`)

/** The marker of database `name`: undefined if it has none, null if there is no such database. */
export const readMarker = (adminUrl: string, name: string) =>
  withClient(adminUrl, async (client) => {
    const rows = (await client.query<{ comment: string | null }>(
      "SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1",
      [name]
    )).rows
    return rows.length === 0 ? null : parseMarker(rows[0]!.comment)
  })

const fill = async (client: pg.Client, size: { purchases: number; customers: number; seed: number }, ctx: Context) => {
  const began = performance.now()
  for (const statement of SETUP(size.seed)) await client.query(statement)
  const { now, start, branches } = (await client.query<{ now: Date; start: Date; branches: Array<number> }>(
    `SELECT now() AS now, now() - interval '365 days' AS start, (SELECT array_agg(id ORDER BY id) FROM branches) AS branches`
  )).rows[0]!
  if (branches === null || branches.length === 0) throw new Error("the seeded database has no branches")

  for (const slice of slices(size.customers, SLICE_PURCHASES)) {
    await client.query(INSERT_CUSTOMERS(size.seed), [slice.first, slice.last, start])
  }
  ctx.progress(`dataset: ${count(size.customers)} customers (${minutes(performance.now() - began)})`)

  const sql = INSERT_SLICE(size.seed)
  const covered = coveredCustomers(size.purchases, size.customers)
  const purchasesBegan = performance.now()
  let items = 0
  for (const slice of slices(size.purchases, SLICE_PURCHASES)) {
    const result = await client.query(sql, [
      slice.first,
      slice.last,
      size.purchases,
      size.customers,
      covered,
      start,
      now,
      branches
    ])
    items += result.rowCount ?? 0
    const elapsed = performance.now() - purchasesBegan
    const rate = slice.last / (elapsed / 1000)
    ctx.progress(
      `dataset: ${count(slice.last)} / ${count(size.purchases)} purchases, ${count(items)} items ` +
        `(${(rate / 1000).toFixed(1)}k purchases/s, ${minutes(elapsed)}, about ${
          minutes(((size.purchases - slice.last) / rate) * 1000)
        } to go)`
    )
  }
  ctx.progress("dataset: VACUUM ANALYZE")
  await client.query("VACUUM ANALYZE")
  await client.query("CHECKPOINT")
}

/**
 * Generates the dataset into a new database `name` and marks it complete. `name` must not exist.
 * On failure the database is left behind without a marker: the caller drops it.
 */
export const generateDataset = async (
  ctx: Context,
  name: string,
  size: { purchases: number; customers: number; seed: number }
): Promise<Dataset> => {
  const began = performance.now()
  ctx.progress(`dataset: creating ${name} (npm run migrate, npm run seed)`)
  const url = await prepareDatabase(ctx.repoRoot, ctx.adminUrl, name, { LOG_DIR: "" })
  await withClient(url, (client) => fill(client, size, ctx))
  const marker: DatasetMarker = {
    ...size,
    generatedAt: new Date().toISOString(),
    generationSeconds: (performance.now() - began) / 1000
  }
  await withClient(
    ctx.adminUrl,
    (client) => client.query(`COMMENT ON DATABASE "${name}" IS '${markerComment(marker).replaceAll("'", "''")}'`)
  )
  ctx.progress(
    `dataset: ${count(size.purchases)} purchases of ${count(size.customers)} customers generated in ${
      minutes(marker.generationSeconds * 1000)
    }`
  )
  return { name, url, generated: true, marker }
}

/** An existing dataset of the requested size, or an error that says why it cannot be reused. */
export const reuseDataset = async (
  ctx: Context,
  name: string,
  size: { purchases: number; customers: number }
): Promise<Dataset | undefined> => {
  const marker = await readMarker(ctx.adminUrl, name)
  if (marker === null) return undefined
  if (marker === undefined) {
    throw new Error(
      `database ${name} exists but holds no complete bench dataset (an interrupted generation, or not the bench's): ` +
        `drop it or name another`
    )
  }
  if (marker.purchases !== size.purchases || marker.customers !== size.customers) {
    throw new Error(
      `database ${name} holds ${count(marker.purchases)} purchases of ${count(marker.customers)} customers, ` +
        `not ${count(size.purchases)} of ${count(size.customers)}: pass --purchases ${marker.purchases} ` +
        `--analytics-customers ${marker.customers}, or name another database`
    )
  }
  ctx.progress(
    `dataset: reusing ${name} (${count(marker.purchases)} purchases of ${count(marker.customers)} customers, ` +
      `generated ${marker.generatedAt} in ${minutes(marker.generationSeconds * 1000)}); VACUUM ANALYZE`
  )
  const url = databaseUrl(ctx.adminUrl, name)
  // Each run leaves the rows its writes replaced (a customer's count is rewritten by each of their
  // purchases). Autovacuum would clear them between runs, but it may be off (it is on our CI's
  // PostgreSQL): without this, every run would start from more dead rows than the one before.
  await withClient(url, (client) => client.query("VACUUM ANALYZE"))
  return { name, url, generated: false, marker }
}

/** What the dataset holds now (the purchases written by earlier measurements included), from the rollups. */
export const describeDataset = (url: string) =>
  withClient(url, async (client) => {
    const row = (await client.query<Record<string, string>>(
      `SELECT t.purchases, t.customers AS buyers, t.revenue::text,
              (SELECT count(*) FROM customers) AS customers,
              (SELECT coalesce(sum(customers), 0) FROM customers_by_purchase_count WHERE purchase_count >= 3) AS loyal,
              (SELECT coalesce(max(purchase_count), 0) FROM customers_by_purchase_count) AS most_purchases,
              (SELECT coalesce(sum(units_sold), 0) FROM product_sales) AS items,
              pg_database_size(current_database()) AS bytes
       FROM chain_totals t`
    )).rows[0]!
    return {
      purchases: Number(row.purchases),
      items: Number(row.items),
      customers: Number(row.customers),
      buyers: Number(row.buyers),
      loyalCustomers: Number(row.loyal),
      mostPurchasesOfACustomer: Number(row.most_purchases),
      revenue: row.revenue!,
      databaseBytes: Number(row.bytes)
    }
  })

export type DatasetDescription = Awaited<ReturnType<typeof describeDataset>>
