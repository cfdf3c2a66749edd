import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { FIGURES_CHANNEL } from "./0003_rollups.js"
import { IMPORTED_ITEMS, IMPORTED_PURCHASES } from "./0007_fold_imports_once.js"

// The folds of 0007, with the hours. The purchases' fold updates chain_totals once, and reads the
// new purchases twice (per customer, per branch and quarter hour) instead of six times: every slot
// rollup and the totals are sums of the quarter hours.
const foldPurchases = (purchases: string) => `
  PERFORM 1 FROM chain_totals FOR UPDATE;
  WITH per_customer AS (
    SELECT user_id, count(*) AS n FROM ${purchases} GROUP BY user_id
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
  ), quarters AS (
    SELECT supermarket_id AS branch_id, icash_quarter_hour("timestamp") AS slot,
           count(*) AS purchases, sum(total_amount) AS revenue
    FROM ${purchases} GROUP BY 1, 2
  ), slots AS (
    INSERT INTO sales_by_quarter_hour AS q (branch_id, slot, purchases, revenue)
    SELECT branch_id, slot, purchases, revenue FROM quarters ORDER BY 1, 2
    ON CONFLICT (branch_id, slot) DO UPDATE SET purchases = q.purchases + EXCLUDED.purchases,
                                                revenue = q.revenue + EXCLUDED.revenue
  ), chain_slots AS (
    INSERT INTO chain_sales_by_quarter_hour AS c (slot, purchases, revenue)
    SELECT slot, sum(purchases), sum(revenue) FROM quarters GROUP BY 1 ORDER BY 1
    ON CONFLICT (slot) DO UPDATE SET purchases = c.purchases + EXCLUDED.purchases,
                                     revenue = c.revenue + EXCLUDED.revenue
  ), hours AS (
    INSERT INTO sales_by_hour AS q (branch_id, slot, purchases, revenue)
    SELECT branch_id, icash_hour(slot), sum(purchases), sum(revenue) FROM quarters GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (branch_id, slot) DO UPDATE SET purchases = q.purchases + EXCLUDED.purchases,
                                                revenue = q.revenue + EXCLUDED.revenue
  ), chain_hours AS (
    INSERT INTO chain_sales_by_hour AS c (slot, purchases, revenue)
    SELECT icash_hour(slot), sum(purchases), sum(revenue) FROM quarters GROUP BY 1 ORDER BY 1
    ON CONFLICT (slot) DO UPDATE SET purchases = c.purchases + EXCLUDED.purchases,
                                     revenue = c.revenue + EXCLUDED.revenue
  )
  UPDATE chain_totals SET
    version = version + 1,
    purchases = purchases + (SELECT coalesce(sum(purchases), 0) FROM quarters),
    revenue = revenue + (SELECT coalesce(sum(revenue), 0) FROM quarters),
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
 * Sales per hour beside the quarter hours: `sales_by_hour` per branch and `chain_sales_by_hour`
 * for the chain, per UTC hour. A day of sales reads the whole hours it spans from them and only
 * what is left at either end (a zone whose offset is not whole hours) from the quarter hours: 24
 * rows a day instead of 96. pgbench at 1M purchases, 30 days of the chain, prepared: 0.59-0.65 ms
 * before, 0.38-0.40 ms in UTC and 0.44 ms in Asia/Kolkata after.
 *
 * The folds, the import's fold and the rebuild keep the hours as they keep the quarter hours;
 * this migration fills them from the quarter hours already there, in slot order (a day's hours
 * then share a page or two). The purchases' fold now takes chain_totals's lock with FOR UPDATE
 * and bumps the version in its one update of the totals (a group writes two versions of that row
 * instead of three), and sums every slot rollup and the totals from one grouping of the new
 * purchases by branch and quarter hour. On copies of one 1M database, pgbench calling
 * icash_store_group for one purchase of three items: 0.69-0.70 ms before, 0.71-0.78 ms after.
 * A 1M-purchase import (scripts/measure-import.mjs, alternated with the build before): 29.2 and
 * 29.9 s after, 29.3 and 30.6 s before.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient

  yield* sql`
    CREATE TABLE sales_by_hour (
      branch_id integer NOT NULL,
      slot      timestamptz NOT NULL,
      purchases bigint NOT NULL,
      revenue   numeric(18, 2) NOT NULL,
      PRIMARY KEY (branch_id, slot)
    )`
  yield* sql`
    CREATE TABLE chain_sales_by_hour (
      slot      timestamptz PRIMARY KEY,
      purchases bigint NOT NULL,
      revenue   numeric(18, 2) NOT NULL
    )`
  yield* sql.unsafe(`
    CREATE FUNCTION icash_hour(t timestamptz) RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN date_bin('1 hour', t, TIMESTAMPTZ '2000-01-01 00:00:00+00')`)

  // no fold may run between the fill and the new folds: a purchase would miss its hour
  yield* sql`LOCK TABLE chain_totals IN EXCLUSIVE MODE`
  yield* sql`
    INSERT INTO sales_by_hour (branch_id, slot, purchases, revenue)
    SELECT branch_id, icash_hour(slot), sum(purchases), sum(revenue) FROM sales_by_quarter_hour GROUP BY 1, 2 ORDER BY 1, 2`
  yield* sql`
    INSERT INTO chain_sales_by_hour (slot, purchases, revenue)
    SELECT icash_hour(slot), sum(purchases), sum(revenue) FROM chain_sales_by_quarter_hour GROUP BY 1 ORDER BY 1`

  const triggerFunction = (name: string, body: string) =>
    sql.unsafe(`
      CREATE OR REPLACE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        ${body}
        RETURN NULL;
      END $$`)
  yield* triggerFunction("icash_fold_purchases", foldPurchases("new_purchases"))
  yield* triggerFunction("icash_fold_items", foldItems("new_items"))
  yield* sql.unsafe(`
    CREATE OR REPLACE FUNCTION icash_fold_imported() RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
      ${foldPurchases(IMPORTED_PURCHASES)}
      ${foldItems(IMPORTED_ITEMS)}
    END $$`)
  yield* sql.unsafe(`
    CREATE OR REPLACE FUNCTION icash_rebuild_rollups() RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE chain_totals SET version = version + 1;
      DELETE FROM customer_stats;
      DELETE FROM customers_by_purchase_count;
      DELETE FROM product_sales;
      DELETE FROM sales_by_quarter_hour;
      DELETE FROM chain_sales_by_quarter_hour;
      DELETE FROM sales_by_hour;
      DELETE FROM chain_sales_by_hour;
      INSERT INTO customer_stats (user_id, purchase_count)
        SELECT user_id, count(*) FROM purchases GROUP BY user_id;
      INSERT INTO customers_by_purchase_count (purchase_count, customers)
        SELECT purchase_count, count(*) FROM customer_stats GROUP BY purchase_count;
      INSERT INTO product_sales (product_id, units_sold, revenue)
        SELECT product_id, sum(quantity), sum(unit_price * quantity) FROM purchase_items GROUP BY product_id;
      -- in slot order, as the migration fills the hours: a range of slots then shares a few pages
      INSERT INTO sales_by_quarter_hour (branch_id, slot, purchases, revenue)
        SELECT supermarket_id, icash_quarter_hour("timestamp"), count(*), sum(total_amount) FROM purchases
        GROUP BY 1, 2 ORDER BY 1, 2;
      INSERT INTO chain_sales_by_quarter_hour (slot, purchases, revenue)
        SELECT slot, sum(purchases), sum(revenue) FROM sales_by_quarter_hour GROUP BY slot ORDER BY slot;
      INSERT INTO sales_by_hour (branch_id, slot, purchases, revenue)
        SELECT branch_id, icash_hour(slot), sum(purchases), sum(revenue) FROM sales_by_quarter_hour
        GROUP BY 1, 2 ORDER BY 1, 2;
      INSERT INTO chain_sales_by_hour (slot, purchases, revenue)
        SELECT slot, sum(purchases), sum(revenue) FROM sales_by_hour GROUP BY slot ORDER BY slot;
      UPDATE chain_totals SET
        purchases = (SELECT count(*) FROM purchases),
        revenue = (SELECT coalesce(sum(total_amount), 0) FROM purchases),
        customers = (SELECT count(*) FROM customer_stats);
      PERFORM pg_notify('${FIGURES_CHANNEL}', '');
    END $$`)
})
