import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/** The channel on which the database announces, on commit, that the chain's figures changed. */
export const FIGURES_CHANNEL = "icash_figures"

/**
 * Rollups: the analytics' figures kept up to date by the statement that writes the purchases, so
 * that they are exact and include a purchase the moment it commits, and every answer reads a few
 * indexed rows whatever the size of the history.
 *
 * - `chain_totals` (one row): purchases, revenue, customers who bought, and a `version` that grows
 *   with every change. Every rollup update locks this row first, so rollup maintenance is
 *   serialized across transactions and can never deadlock.
 * - `customer_stats`: purchases per customer, indexed for the loyal-customers pages.
 * - `customers_by_purchase_count`: how many customers have exactly n purchases, so that the loyal
 *   customers at any threshold are counted without scanning customers.
 * - `product_sales`: units and revenue per product.
 * - `sales_by_quarter_hour`: purchases and revenue per branch and 15-minute slot (UTC), so that hours
 *   and days of any time zone (offsets are whole quarter hours) are sums of whole slots; and
 *   `chain_sales_by_quarter_hour`, the same for the whole chain, so that the chain's figures need
 *   not add the branches up at each query.
 *
 * Inserts are folded in by statement-level triggers, once per statement (a group of purchases, an
 * import slice), with one upsert per customer, product and slot. Deletes, updates and truncations
 * are exceptional (nothing in iCash does them): they rebuild the rollups from the purchases.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient

  yield* sql`
    CREATE TABLE chain_totals (
      singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
      version   bigint NOT NULL,
      purchases bigint NOT NULL,
      revenue   numeric(18, 2) NOT NULL,
      customers bigint NOT NULL
    )`
  yield* sql`INSERT INTO chain_totals VALUES (true, 0, 0, 0, 0)`

  yield* sql`
    CREATE TABLE customer_stats (
      user_id        uuid PRIMARY KEY,
      purchase_count bigint NOT NULL CHECK (purchase_count > 0)
    )`
  yield* sql`CREATE INDEX customer_stats_loyalty_idx ON customer_stats (purchase_count DESC, user_id)`

  yield* sql`
    CREATE TABLE customers_by_purchase_count (
      purchase_count bigint PRIMARY KEY,
      customers      bigint NOT NULL
    )`

  yield* sql`
    CREATE TABLE product_sales (
      product_id integer PRIMARY KEY,
      units_sold bigint NOT NULL,
      revenue    numeric(18, 2) NOT NULL
    )`

  yield* sql`
    CREATE TABLE sales_by_quarter_hour (
      branch_id integer NOT NULL,
      slot      timestamptz NOT NULL,
      purchases bigint NOT NULL,
      revenue   numeric(18, 2) NOT NULL,
      PRIMARY KEY (branch_id, slot)
    )`

  yield* sql`
    CREATE TABLE chain_sales_by_quarter_hour (
      slot      timestamptz PRIMARY KEY,
      purchases bigint NOT NULL,
      revenue   numeric(18, 2) NOT NULL
    )`

  yield* sql.unsafe(`
    CREATE FUNCTION icash_quarter_hour(t timestamptz) RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN date_bin('15 minutes', t, TIMESTAMPTZ '2000-01-01 00:00:00+00')`)

  yield* sql.unsafe(`
    CREATE FUNCTION icash_fold_purchases() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      first_buyers bigint;
    BEGIN
      UPDATE chain_totals SET
        version = version + 1,
        purchases = purchases + (SELECT count(*) FROM new_purchases),
        revenue = revenue + (SELECT coalesce(sum(total_amount), 0) FROM new_purchases);

      WITH per_customer AS (
        SELECT user_id, count(*) AS n FROM new_purchases GROUP BY user_id
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
        FROM new_purchases GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (branch_id, slot) DO UPDATE SET purchases = q.purchases + EXCLUDED.purchases,
                                                    revenue = q.revenue + EXCLUDED.revenue
      ), chain_slots AS (
        INSERT INTO chain_sales_by_quarter_hour AS c (slot, purchases, revenue)
        SELECT icash_quarter_hour("timestamp"), count(*), sum(total_amount)
        FROM new_purchases GROUP BY 1 ORDER BY 1
        ON CONFLICT (slot) DO UPDATE SET purchases = c.purchases + EXCLUDED.purchases,
                                         revenue = c.revenue + EXCLUDED.revenue
      )
      SELECT count(*) INTO first_buyers FROM moves WHERE before = 0;

      UPDATE chain_totals SET customers = customers + first_buyers;
      PERFORM pg_notify('${FIGURES_CHANNEL}', '');
      RETURN NULL;
    END $$`)

  yield* sql.unsafe(`
    CREATE FUNCTION icash_fold_items() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE chain_totals SET version = version + 1;
      INSERT INTO product_sales AS p (product_id, units_sold, revenue)
      SELECT product_id, sum(quantity), sum(unit_price * quantity) FROM new_items GROUP BY product_id ORDER BY product_id
      ON CONFLICT (product_id) DO UPDATE SET units_sold = p.units_sold + EXCLUDED.units_sold,
                                             revenue = p.revenue + EXCLUDED.revenue;
      PERFORM pg_notify('${FIGURES_CHANNEL}', '');
      RETURN NULL;
    END $$`)

  yield* sql.unsafe(`
    CREATE FUNCTION icash_rebuild_rollups() RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE chain_totals SET version = version + 1;
      DELETE FROM customer_stats;
      DELETE FROM customers_by_purchase_count;
      DELETE FROM product_sales;
      DELETE FROM sales_by_quarter_hour;
      DELETE FROM chain_sales_by_quarter_hour;
      INSERT INTO customer_stats (user_id, purchase_count)
        SELECT user_id, count(*) FROM purchases GROUP BY user_id;
      INSERT INTO customers_by_purchase_count (purchase_count, customers)
        SELECT purchase_count, count(*) FROM customer_stats GROUP BY purchase_count;
      INSERT INTO product_sales (product_id, units_sold, revenue)
        SELECT product_id, sum(quantity), sum(unit_price * quantity) FROM purchase_items GROUP BY product_id;
      INSERT INTO sales_by_quarter_hour (branch_id, slot, purchases, revenue)
        SELECT supermarket_id, icash_quarter_hour("timestamp"), count(*), sum(total_amount) FROM purchases GROUP BY 1, 2;
      INSERT INTO chain_sales_by_quarter_hour (slot, purchases, revenue)
        SELECT slot, sum(purchases), sum(revenue) FROM sales_by_quarter_hour GROUP BY slot;
      UPDATE chain_totals SET
        purchases = (SELECT count(*) FROM purchases),
        revenue = (SELECT coalesce(sum(total_amount), 0) FROM purchases),
        customers = (SELECT count(*) FROM customer_stats);
      PERFORM pg_notify('${FIGURES_CHANNEL}', '');
    END $$`)

  yield* sql.unsafe(`
    CREATE FUNCTION icash_rebuild_rollups_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM icash_rebuild_rollups();
      RETURN NULL;
    END $$`)

  // what is already there (a database migrated before the rollups existed)
  yield* sql`SELECT icash_rebuild_rollups()`

  yield* sql.unsafe(`
    CREATE TRIGGER purchases_fold AFTER INSERT ON purchases
    REFERENCING NEW TABLE AS new_purchases FOR EACH STATEMENT EXECUTE FUNCTION icash_fold_purchases()`)
  yield* sql.unsafe(`
    CREATE TRIGGER purchase_items_fold AFTER INSERT ON purchase_items
    REFERENCING NEW TABLE AS new_items FOR EACH STATEMENT EXECUTE FUNCTION icash_fold_items()`)
  for (const table of ["purchases", "purchase_items"]) {
    yield* sql.unsafe(`
      CREATE TRIGGER ${table}_rebuild AFTER UPDATE OR DELETE OR TRUNCATE ON ${table}
      FOR EACH STATEMENT EXECUTE FUNCTION icash_rebuild_rollups_trigger()`)
  }
})
