import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * The Idempotency-Key of each purchase that came with one, written by the purchase's own statement:
 * a retry finds its purchase here and is answered with it instead of storing it again. The
 * fingerprint is of the request's body, so that a key reused for another purchase is refused.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    CREATE TABLE idempotency_keys (
      key         text PRIMARY KEY CHECK (key ~ '^[\\x20-\\x7e]{1,255}$'),
      fingerprint text NOT NULL,
      purchase_id bigint NOT NULL REFERENCES purchases (id) ON DELETE CASCADE,
      created_at  timestamptz NOT NULL DEFAULT now()
    )`
  yield* sql`CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at)`
  yield* sql`CREATE INDEX idempotency_keys_purchase_id_idx ON idempotency_keys (purchase_id)`
})
