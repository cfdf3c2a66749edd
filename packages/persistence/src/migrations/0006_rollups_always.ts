import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * The rollups' fold triggers fire whatever the session's replication role. A large import runs its
 * inserts with `session_replication_role = replica` when it may, to skip the foreign keys'
 * row-by-row checks (it checks and locks the rows its purchases refer to itself, see ImportRepo);
 * its purchases must still be folded into the rollups, by the same triggers as any other.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE purchases ENABLE ALWAYS TRIGGER purchases_fold`
  yield* sql`ALTER TABLE purchase_items ENABLE ALWAYS TRIGGER purchase_items_fold`
})
