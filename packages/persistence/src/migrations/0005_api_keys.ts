import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/** The channel on which the database announces, on commit, that keys were made, revoked or changed. */
export const API_KEYS_CHANNEL = "icash_api_keys"

/**
 * The API keys. Only a keyed hash of each secret is kept (HMAC-SHA-256 under a random salt of its
 * own): whoever reads this table cannot use a key. A register key belongs to one branch; the other
 * roles to none. A revoked key stays listed, with when it was revoked. Any change that matters to
 * the services (not the last-used time) is announced on `icash_api_keys`, so that every running
 * service drops a revoked key at once.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    CREATE TABLE api_keys (
      id           text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{12}$'),
      role         text NOT NULL CHECK (role IN ('register', 'analyst', 'admin')),
      branch_id    integer REFERENCES branches (id),
      name         text CHECK (length(name) BETWEEN 1 AND 200),
      salt         bytea NOT NULL,
      secret_hash  bytea NOT NULL,
      created_at   timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz,
      revoked_at   timestamptz,
      CHECK ((role = 'register') = (branch_id IS NOT NULL))
    )`

  yield* sql.unsafe(`
    CREATE FUNCTION icash_api_keys_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('${API_KEYS_CHANNEL}', '');
      RETURN NULL;
    END $$`)
  yield* sql.unsafe(`
    CREATE TRIGGER api_keys_changed
    AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF role, branch_id, salt, secret_hash, revoked_at ON api_keys
    FOR EACH STATEMENT EXECUTE FUNCTION icash_api_keys_changed()`)
})
