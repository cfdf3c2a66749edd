import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * The statement that stores a group of purchases (PurchasesRepo.insertGroup), as a function whose
 * plan each connection keeps. Sent as a statement, it was planned again on every call: 0.81 ms of
 * its 2.1 ms of database time per group (pg_stat_statements, 200 purchases/s, groups of one or two),
 * because @effect/sql-pg sends unnamed statements only. PL/pgSQL prepares the query once per
 * connection and, after a few calls, runs its generic plan.
 *
 * Arguments, all arrays: per purchase its branch, customer, Idempotency-Key and fingerprint (NULL
 * when it has none); per line the purchase's place in the group (1-based) and the product. One row
 * per item, in the group's order, each purchase's items by product id; `replayed_for` is the
 * fingerprint of the request that stored a purchase whose key was stored before, NULL otherwise.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql.unsafe(`
    CREATE FUNCTION icash_store_group(
      branch_ids integer[], user_ids uuid[], request_keys text[], fingerprints text[],
      line_purchases integer[], line_products integer[]
    ) RETURNS TABLE (
      ord integer, id bigint, branch_id integer, user_id text, replayed_for text, "timestamp" timestamptz,
      total_amount text, product_id integer, product_name text, unit_price text
    ) LANGUAGE plpgsql AS $$
    #variable_conflict use_column
    BEGIN
      RETURN QUERY
      WITH request AS (
        SELECT p.ord::int AS ord, p.branch_id, p.user_id, p.key, p.fingerprint
        FROM unnest(branch_ids, user_ids, request_keys, fingerprints)
             WITH ORDINALITY AS p (branch_id, user_id, key, fingerprint, ord)
      ), earlier AS (
        SELECT request.ord, keys.purchase_id, keys.fingerprint
        FROM request JOIN idempotency_keys keys ON keys.key = request.key
      ), input AS (
        SELECT ord, branch_id, user_id, key, fingerprint,
               nextval(pg_get_serial_sequence('purchases', 'id')) AS id
        FROM request WHERE ord NOT IN (SELECT ord FROM earlier)
      ), lines AS (
        SELECT input.id AS purchase_id, line.product_id, products.product_name, products.unit_price
        FROM unnest(line_purchases, line_products) AS line (ord, product_id)
        JOIN input USING (ord)
        LEFT JOIN products ON products.id = line.product_id
      ), totals AS (
        SELECT purchase_id, sum(unit_price) AS total_amount FROM lines GROUP BY purchase_id
      ), new_customers AS (
        INSERT INTO customers (id) SELECT DISTINCT user_id FROM input ORDER BY user_id
        ON CONFLICT (id) DO NOTHING
      ), new_purchases AS (
        INSERT INTO purchases (id, supermarket_id, user_id, total_amount) OVERRIDING SYSTEM VALUE
        SELECT input.id, input.branch_id, input.user_id, coalesce(totals.total_amount, 0)
        FROM input LEFT JOIN totals ON totals.purchase_id = input.id
        RETURNING id, "timestamp", total_amount
      ), new_items AS (
        INSERT INTO purchase_items (purchase_id, product_id, quantity, unit_price)
        SELECT purchase_id, product_id, 1, unit_price FROM lines
      ), new_keys AS (
        INSERT INTO idempotency_keys (key, fingerprint, purchase_id)
        SELECT key, fingerprint, id FROM input WHERE key IS NOT NULL
      )
      SELECT input.ord, new_purchases.id, input.branch_id, input.user_id::text, NULL::text,
             new_purchases."timestamp", new_purchases.total_amount::text,
             lines.product_id, lines.product_name, lines.unit_price::text
      FROM new_purchases
      JOIN input ON input.id = new_purchases.id
      JOIN lines ON lines.purchase_id = new_purchases.id
      UNION ALL
      SELECT earlier.ord, p.id, p.supermarket_id, p.user_id::text, earlier.fingerprint,
             p."timestamp", p.total_amount::text,
             i.product_id, products.product_name, i.unit_price::text
      FROM earlier
      JOIN purchases p ON p.id = earlier.purchase_id
      JOIN purchase_items i ON i.purchase_id = p.id
      JOIN products ON products.id = i.product_id
      ORDER BY 1, 8;
    END $$`)
})
