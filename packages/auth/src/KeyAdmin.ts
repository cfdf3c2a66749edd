import { type ApiKey, ApiKeyId, CreatedApiKey, type Role } from "@icash/domain"
import { ApiKeysRepo, CatalogRepo } from "@icash/persistence"
import { Data, Effect, Option, Schema } from "effect"
import { newSecret, secretId, secretMatches } from "./Secret.js"

export class KeyAdminError extends Data.TaggedError("KeyAdminError")<{ readonly message: string }> {}

export interface KeyToMake {
  readonly role: Role
  /** The branch of a register key, by code (SMKT001) or id. */
  readonly branch?: string | undefined
  readonly name?: string | undefined
}

const isKeyId = Schema.is(ApiKeyId)

/** Making, listing and revoking API keys: what `npm run keys` does, on whichever database is configured. */
export class KeyAdmin extends Effect.Service<KeyAdmin>()("auth/KeyAdmin", {
  effect: Effect.gen(function*() {
    const keys = yield* ApiKeysRepo
    const catalog = yield* CatalogRepo

    const branchOf = (role: Role, branch: string | undefined) =>
      Effect.gen(function*() {
        if (role !== "register") {
          if (branch !== undefined) {
            return yield* new KeyAdminError({ message: `${role} keys belong to no branch: leave out --branch` })
          }
          return null
        }
        if (branch === undefined) {
          return yield* new KeyAdminError({ message: "a register key belongs to a branch: give --branch CODE" })
        }
        const branches = yield* catalog.listBranches()
        const found = branches.find((b) => b.code === branch || String(b.id) === branch)
        if (found === undefined) {
          return yield* new KeyAdminError({
            message: `no branch ${branch}; the branches are ${branches.map((b) => b.code).join(", ") || "none yet"}`
          })
        }
        return found.id
      })

    const create = (key: KeyToMake) =>
      Effect.gen(function*() {
        const name = key.name?.trim()
        if (name !== undefined && (name === "" || name.length > 200)) {
          return yield* new KeyAdminError({ message: "a key's name has 1 to 200 characters" })
        }
        const branch_id = yield* branchOf(key.role, key.branch)
        const { secret, ...hashed } = newSecret()
        const stored = yield* keys.insert({ ...hashed, role: key.role, branch_id, name: name ?? null })
        return new CreatedApiKey({ key: stored, secret })
      })

    /** Revokes the key this id or secret names. */
    const revoke = (idOrSecret: string): Effect.Effect<ApiKey, KeyAdminError> =>
      Effect.gen(function*() {
        const given = idOrSecret.trim()
        const id = isKeyId(given) ? given : secretId(given)
        const notFound = new KeyAdminError({ message: "no key has this id or secret" })
        if (id === undefined) return yield* notFound
        if (id !== given) {
          // a secret: it must be the key's own, not just share its id
          const active = (yield* keys.active()).find((key) => key.id === id)
          if (active !== undefined && !secretMatches(given, active)) return yield* notFound
        }
        return yield* Effect.flatMap(keys.revoke(id), Option.match({ onNone: () => notFound, onSome: Effect.succeed }))
      })

    return { create, list: keys.list, revoke } as const
  })
}) {}
