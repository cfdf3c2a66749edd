import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/** The channel on which the database announces, on commit, that branches or products changed. */
export const CATALOG_CHANNEL = "icash_catalog"

/**
 * Any change to branches or products, by iCash or by hand, is announced on `icash_catalog` when
 * its transaction commits, so that the services' in-memory catalogue refreshes itself.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient

  yield* sql.unsafe(`
    CREATE FUNCTION icash_catalog_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('${CATALOG_CHANNEL}', TG_TABLE_NAME);
      RETURN NULL;
    END $$`)

  for (const table of ["branches", "products"]) {
    yield* sql.unsafe(`
      CREATE TRIGGER ${table}_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table}
      FOR EACH STATEMENT EXECUTE FUNCTION icash_catalog_changed()`)
  }
})
