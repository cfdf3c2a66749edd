import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { FIGURES_CHANNEL } from "./0003_rollups.js"

/**
 * The temporary tables in which an import keeps the purchases, and the items, it wrote (see
 * ImportRepo): its own transition tables, with the columns of the triggers' that the folds read.
 */
export const IMPORTED_PURCHASES = "imported_purchases"
export const IMPORTED_ITEMS = "imported_items"

// The folds of 0003, each written once for any relation of new rows: a trigger's transition table,
// or an import's purchases. Both lock chain_totals first, as every rollup update does.
const foldPurchases = (purchases: string) => `
  UPDATE chain_totals SET version = version + 1;
  WITH folded AS (
    SELECT user_id, supermarket_id, "timestamp", total_amount FROM ${purchases}
  ), per_customer AS (
    SELECT user_id, count(*) AS n FROM folded GROUP BY user_id
  ), counted AS (
    INSERT INTO customer_stats AS s (user_id, purchase_count)
    SELECT user_id, n FROM per_customer ORDER BY user_id
    ON CONFLICT (user_id) DO UPDATE SET purchase_count = s.purchase_count + EXCLUDED.purchase_count
    RETURNING s.user_id, s.purchase_count
  ), moves AS (
    SELECT counted.purchase_count - per_customer.n AS before, counted.purchase_count AS after
    FROM counted JOIN per_customer USING (user_id)
  ), histogram AS (
    INSERT INTO customers_by_purchase_count AS h (purchase_count, customers)
    SELECT purchase_count, sum(delta) FROM (
      SELECT after AS purchase_count, 1 AS delta FROM moves
      UNION ALL
      SELECT before, -1 FROM moves WHERE before > 0
    ) changes
    GROUP BY purchase_count HAVING sum(delta) <> 0 ORDER BY purchase_count
    ON CONFLICT (purchase_count) DO UPDATE SET customers = h.customers + EXCLUDED.customers
  ), slots AS (
    INSERT INTO sales_by_quarter_hour AS q (branch_id, slot, purchases, revenue)
    SELECT supermarket_id, icash_quarter_hour("timestamp"), count(*), sum(total_amount)
    FROM folded GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (branch_id, slot) DO UPDATE SET purchases = q.purchases + EXCLUDED.purchases,
                                                revenue = q.revenue + EXCLUDED.revenue
  ), chain_slots AS (
    INSERT INTO chain_sales_by_quarter_hour AS c (slot, purchases, revenue)
    SELECT icash_quarter_hour("timestamp"), count(*), sum(total_amount)
    FROM folded GROUP BY 1 ORDER BY 1
    ON CONFLICT (slot) DO UPDATE SET purchases = c.purchases + EXCLUDED.purchases,
                                     revenue = c.revenue + EXCLUDED.revenue
  )
  UPDATE chain_totals SET
    purchases = purchases + (SELECT count(*) FROM folded),
    revenue = revenue + (SELECT coalesce(sum(total_amount), 0) FROM folded),
    customers = customers + (SELECT count(*) FROM moves WHERE before = 0);
  PERFORM pg_notify('${FIGURES_CHANNEL}', '');`

const foldItems = (items: string) => `
  UPDATE chain_totals SET version = version + 1;
  INSERT INTO product_sales AS p (product_id, units_sold, revenue)
  SELECT product_id, sum(quantity), sum(unit_price * quantity) FROM ${items} GROUP BY product_id ORDER BY product_id
  ON CONFLICT (product_id) DO UPDATE SET units_sold = p.units_sold + EXCLUDED.units_sold,
                                         revenue = p.revenue + EXCLUDED.revenue;
  PERFORM pg_notify('${FIGURES_CHANNEL}', '');`

/**
 * An import folds its purchases into the rollups once, when it has written them all, instead of
 * once per slice (each slice upserted most of its customers' stats again): its inserts run with
 * `session_replication_role = replica` when it may (see ImportRepo), and the fold triggers fire
 * again only on origin, as they did before 0006. The import then calls `icash_fold_imported()`,
 * which folds what its tables `imported_purchases` and `imported_items` hold by the very
 * statements of the triggers.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient

  yield* sql.unsafe(`
    CREATE OR REPLACE FUNCTION icash_fold_purchases() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      ${foldPurchases("new_purchases")}
      RETURN NULL;
    END $$`)
  yield* sql.unsafe(`
    CREATE OR REPLACE FUNCTION icash_fold_items() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      ${foldItems("new_items")}
      RETURN NULL;
    END $$`)
  yield* sql.unsafe(`
    CREATE FUNCTION icash_fold_imported() RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
      ${foldPurchases(IMPORTED_PURCHASES)}
      ${foldItems(IMPORTED_ITEMS)}
    END $$`)

  yield* sql`ALTER TABLE purchases ENABLE TRIGGER purchases_fold`
  yield* sql`ALTER TABLE purchase_items ENABLE TRIGGER purchase_items_fold`
})
