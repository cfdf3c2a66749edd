import { SqlClient, SqlSchema } from "@effect/sql"
import { ApiKey, ApiKeyId, BranchId, Role } from "@icash/domain"
import { Effect, Option, Schema } from "effect"
import { Timestamp } from "./Rows.js"

/** A key as the services check it: its salt and the keyed hash of its secret, both in hex. */
export interface ActiveKey {
  readonly id: ApiKeyId
  readonly role: Role
  readonly branch_id: BranchId | null
  readonly salt: string
  readonly secret_hash: string
}

/** A key to store: its hash only. */
export interface KeyToStore extends ActiveKey {
  readonly name: string | null
}

const ActiveKeyRow = Schema.Struct({
  id: ApiKeyId,
  role: Role,
  branch_id: Schema.NullOr(BranchId),
  salt: Schema.String,
  secret_hash: Schema.String
})

const ApiKeyRow = Schema.Struct({
  id: ApiKeyId,
  role: Role,
  branch_id: Schema.NullOr(BranchId),
  name: Schema.NullOr(Schema.String),
  created_at: Timestamp,
  last_used_at: Schema.NullOr(Timestamp),
  revoked_at: Schema.NullOr(Timestamp)
})

const columns = "id, role, branch_id, name, created_at, last_used_at, revoked_at"

/** The API keys: made, listed and revoked by operators, checked by the services. */
export class ApiKeysRepo extends Effect.Service<ApiKeysRepo>()("persistence/ApiKeysRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    const insert = SqlSchema.single({
      Request: Schema.Any,
      Result: ApiKeyRow,
      execute: (key: KeyToStore) =>
        sql`
          INSERT INTO api_keys (id, role, branch_id, name, salt, secret_hash)
          VALUES (${key.id}, ${key.role}, ${key.branch_id}, ${key.name},
                  decode(${key.salt}, 'hex'), decode(${key.secret_hash}, 'hex'))
          RETURNING ${sql.unsafe(columns)}`
    })

    const list = SqlSchema.findAll({
      Request: Schema.Void,
      Result: ApiKeyRow,
      execute: () => sql`SELECT ${sql.unsafe(columns)} FROM api_keys ORDER BY created_at, id`
    })

    const active = SqlSchema.findAll({
      Request: Schema.Void,
      Result: ActiveKeyRow,
      execute: () =>
        sql`
          SELECT id, role, branch_id, encode(salt, 'hex') AS salt, encode(secret_hash, 'hex') AS secret_hash
          FROM api_keys WHERE revoked_at IS NULL`
    })

    const findActive = SqlSchema.findOne({
      Request: ApiKeyId,
      Result: ActiveKeyRow,
      execute: (id) =>
        sql`
          SELECT id, role, branch_id, encode(salt, 'hex') AS salt, encode(secret_hash, 'hex') AS secret_hash
          FROM api_keys WHERE id = ${id} AND revoked_at IS NULL`
    })

    const revoke = SqlSchema.findOne({
      Request: ApiKeyId,
      Result: ApiKeyRow,
      execute: (id) =>
        sql`
          UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = ${id}
          RETURNING ${sql.unsafe(columns)}`
    })

    const toKey = (row: typeof ApiKeyRow.Type) => new ApiKey(row, true)

    return {
      insert: (key: KeyToStore) =>
        insert(key).pipe(Effect.map(toKey), Effect.orDie, Effect.withSpan("ApiKeysRepo.insert")),
      list: () => list().pipe(Effect.map((rows) => rows.map(toKey)), Effect.orDie, Effect.withSpan("ApiKeysRepo.list")),
      /** The keys not revoked, to check requests against. */
      active: () => active().pipe(Effect.orDie, Effect.withSpan("ApiKeysRepo.active")),
      /** The key with this id, unless there is none or it is revoked. */
      findActive: (id: ApiKeyId) => findActive(id).pipe(Effect.orDie, Effect.withSpan("ApiKeysRepo.findActive")),
      /** Revokes a key (a key already revoked keeps its date); none when no key has this id. */
      revoke: (id: ApiKeyId) =>
        revoke(id).pipe(Effect.map(Option.map(toKey)), Effect.orDie, Effect.withSpan("ApiKeysRepo.revoke")),
      /** Records that these keys were used (about now): one statement for many requests. */
      touch: (ids: ReadonlyArray<ApiKeyId>) =>
        ids.length === 0 ? Effect.void : sql`UPDATE api_keys SET last_used_at = now() WHERE id IN ${sql.in(ids)}`.pipe(
          Effect.asVoid,
          Effect.orDie,
          Effect.withSpan("ApiKeysRepo.touch")
        )
    } as const
  })
}) {}
