import { ApiKey, type ApiKeyId } from "@icash/domain"
import { DateTime, Effect, Option } from "effect"
import { ApiKeysRepo, type KeyToStore } from "../ApiKeysRepo.js"

/** The API keys in memory, with the repository's behaviour, for tests that substitute layers. */
export const makeInMemoryApiKeys = Effect.sync(() => {
  const keys = new Map<ApiKeyId, { readonly stored: KeyToStore; readonly key: ApiKey }>()
  const update = (id: ApiKeyId, change: Partial<ApiKey>) => {
    const entry = keys.get(id)!
    const key = new ApiKey({ ...entry.key, ...change })
    keys.set(id, { stored: entry.stored, key })
    return key
  }
  const activeKeys = () =>
    [...keys.values()].filter((entry) => entry.key.revoked_at === null).map(({ stored }) => ({
      id: stored.id,
      role: stored.role,
      branch_id: stored.branch_id,
      salt: stored.salt,
      secret_hash: stored.secret_hash
    }))
  return ApiKeysRepo.make({
    insert: (stored) =>
      Effect.map(DateTime.now, (now) => {
        const key = new ApiKey({
          id: stored.id,
          role: stored.role,
          branch_id: stored.branch_id,
          name: stored.name,
          created_at: now,
          last_used_at: null,
          revoked_at: null
        })
        keys.set(stored.id, { stored, key })
        return key
      }),
    list: () => Effect.sync(() => [...keys.values()].map((entry) => entry.key)),
    active: () => Effect.sync(activeKeys),
    findActive: (id) => Effect.sync(() => Option.fromNullable(activeKeys().find((key) => key.id === id))),
    revoke: (id) =>
      Effect.map(
        DateTime.now,
        (now) =>
          keys.has(id) ? Option.some(update(id, { revoked_at: keys.get(id)!.key.revoked_at ?? now })) : Option.none()
      ),
    touch: (ids) =>
      Effect.map(DateTime.now, (now) => {
        for (const id of ids) if (keys.has(id)) update(id, { last_used_at: now })
      })
  })
})
