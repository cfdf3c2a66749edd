import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/** What a load left in the database, counted straight from the tables. */
export const figures = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const [counts] = yield* sql<{
    products: number
    branches: number
    purchases: number
    items: number
    customers: number
    unique_customers: number
    loyal_customers: number
    revenue: string
    items_revenue: string
  }>`
    SELECT
      (SELECT count(*)::int FROM products) AS products,
      (SELECT count(*)::int FROM branches) AS branches,
      (SELECT count(*)::int FROM purchases) AS purchases,
      (SELECT count(*)::int FROM purchase_items) AS items,
      (SELECT count(*)::int FROM customers) AS customers,
      (SELECT count(DISTINCT user_id)::int FROM purchases) AS unique_customers,
      (SELECT count(*)::int FROM (SELECT user_id FROM purchases GROUP BY user_id HAVING count(*) >= 3) AS loyal)
        AS loyal_customers,
      (SELECT coalesce(sum(total_amount), 0)::text FROM purchases) AS revenue,
      (SELECT coalesce(sum(unit_price), 0)::text FROM purchase_items) AS items_revenue`
  const byBranch = yield* sql<{ code: string; purchases: number }>`
    SELECT b.code, count(p.id)::int AS purchases
    FROM branches b LEFT JOIN purchases p ON p.supermarket_id = b.id
    GROUP BY b.code ORDER BY b.code`
  const unitsByProduct = yield* sql<{ product_name: string; units: number }>`
    SELECT pr.product_name, count(i.product_id)::int AS units
    FROM products pr LEFT JOIN purchase_items i ON i.product_id = pr.id
    GROUP BY pr.product_name ORDER BY units DESC, pr.product_name`
  return {
    ...counts!,
    byBranch: byBranch.map((row) => [row.code, row.purchases]),
    unitsByProduct: unitsByProduct.map((row) => [row.product_name, row.units])
  }
})

/** Every rollup table (see migrations 0003 and 0010), but chain_totals' version and the histogram's empty counts. */
const rollups = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  return yield* Effect.all({
    totals: sql`SELECT purchases, revenue, customers FROM chain_totals`,
    customers: sql`SELECT * FROM customer_stats ORDER BY user_id`,
    histogram: sql`SELECT * FROM customers_by_purchase_count WHERE customers <> 0 ORDER BY purchase_count`,
    products: sql`SELECT * FROM product_sales ORDER BY product_id`,
    slots: sql`SELECT * FROM sales_by_quarter_hour ORDER BY branch_id, slot`,
    chainSlots: sql`SELECT * FROM chain_sales_by_quarter_hour ORDER BY slot`,
    hours: sql`SELECT * FROM sales_by_hour ORDER BY branch_id, slot`,
    chainHours: sql`SELECT * FROM chain_sales_by_hour ORDER BY slot`
  })
})

/** The rollups as they were folded, and as `icash_rebuild_rollups()` makes them from the purchases. */
export const foldedAndRebuiltRollups = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const folded = yield* rollups
  yield* sql`SELECT icash_rebuild_rollups()`
  return { folded, rebuilt: yield* rollups }
})
