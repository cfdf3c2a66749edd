import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * Fewer, smaller indexes on the purchases, which every purchase and every imported row pays for.
 *
 * - `purchases (user_id)` and `purchase_items (product_id)` served the analytics computed from the
 *   purchases; since the rollups (0003) no statement reads them. Their only other use would be the
 *   foreign keys' checks when a customer or a product is deleted, which iCash never does.
 * - An import key is now the first 128 bits of its SHA-256, as a `uuid`: 16 bytes compared as
 *   such, instead of 64 hexadecimal characters compared as text (a third of the unique index, and
 *   a collision would need about 2^64 purchases). Existing keys keep their first 32 digits, so a
 *   file loaded before this migration is still recognized.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`DROP INDEX purchases_user_id_idx`
  yield* sql`DROP INDEX purchase_items_product_id_idx`
  yield* sql`ALTER TABLE purchases ALTER COLUMN import_key TYPE uuid USING left(import_key, 32)::uuid`
})
