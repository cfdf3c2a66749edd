import {
  type ApiKey,
  ApiKeyId,
  ApiKeyNotFound,
  type Branch,
  type BranchId,
  CreatedApiKey,
  type NewApiKey,
  type Role,
  UnknownBranch
} from "@icash/domain"
import { ApiKeysRepo, CatalogRepo } from "@icash/persistence"
import { Data, Effect, Either, Option, Schema } from "effect"
import { newSecret, secretId, secretMatches } from "./Secret.js"

export class KeyAdminError extends Data.TaggedError("KeyAdminError")<{ readonly message: string }> {}

export interface KeyToMake {
  readonly role: Role
  /** The branch of a register key, by code (SMKT001) or id. */
  readonly branch?: string | undefined
  readonly name?: string | undefined
}

/** The key `npm run keys -- create` asks for, its branch found among these: what to ask the API for. */
export const keyToMake = (key: KeyToMake, branches: ReadonlyArray<Branch>): Either.Either<NewApiKey, KeyAdminError> => {
  const fail = (message: string) => Either.left(new KeyAdminError({ message }))
  const name = key.name?.trim()
  if (name !== undefined && (name === "" || name.length > 200)) return fail("a key's name has 1 to 200 characters")
  if (key.role !== "register") {
    return key.branch === undefined
      ? Either.right({ role: key.role, name })
      : fail(`${key.role} keys belong to no branch: leave out --branch`)
  }
  if (key.branch === undefined) return fail("a register key belongs to a branch: give --branch CODE")
  const found = branches.find((b) => b.code === key.branch || String(b.id) === key.branch)
  if (found === undefined) {
    return fail(`no branch ${key.branch}; the branches are ${branches.map((b) => b.code).join(", ") || "none yet"}`)
  }
  return Either.right({ role: key.role, branch_id: found.id, name })
}

const isKeyId = Schema.is(ApiKeyId)

/** The id `npm run keys -- revoke` names: given as such, or the one of a secret. */
export const keyIdOf = (idOrSecret: string): ApiKeyId | undefined => {
  const given = idOrSecret.trim()
  return isKeyId(given) ? given : secretId(given)
}

export const noSuchKey = () => new KeyAdminError({ message: "no key has this id or secret" })

/** Making, listing and revoking API keys, on whichever database is configured: for `npm run keys` and the API. */
export class KeyAdmin extends Effect.Service<KeyAdmin>()("auth/KeyAdmin", {
  effect: Effect.gen(function*() {
    const keys = yield* ApiKeysRepo
    const catalog = yield* CatalogRepo

    const store = (role: Role, branch_id: BranchId | null, name: string | null) => {
      const { secret, ...hashed } = newSecret()
      return Effect.map(
        keys.insert({ ...hashed, role, branch_id, name }),
        (stored) => new CreatedApiKey({ key: stored, secret })
      )
    }

    /** A key as the API asks for it (its schema checked the roles): a register key's branch must exist. */
    const make = (key: NewApiKey) =>
      Effect.gen(function*() {
        const branchId = key.branch_id
        if (branchId !== undefined && !(yield* catalog.listBranches()).some((b) => b.id === branchId)) {
          return yield* UnknownBranch.of(branchId)
        }
        return yield* store(key.role, branchId ?? null, key.name ?? null)
      })

    /** A key as `npm run keys -- create` asks for it. */
    const create = (key: KeyToMake) =>
      Effect.flatMap(catalog.listBranches(), (branches) => keyToMake(key, branches)).pipe(
        Effect.flatMap((made) => store(made.role, made.branch_id ?? null, made.name ?? null))
      )

    const revokeId = (id: ApiKeyId) =>
      Effect.flatMap(
        keys.revoke(id),
        Option.match({ onNone: () => Effect.fail(ApiKeyNotFound.of(id)), onSome: Effect.succeed })
      )

    /** Revokes the key this id or secret names. */
    const revoke = (idOrSecret: string): Effect.Effect<ApiKey, KeyAdminError> =>
      Effect.gen(function*() {
        const given = idOrSecret.trim()
        const id = keyIdOf(given)
        if (id === undefined) return yield* noSuchKey()
        if (id !== given) {
          // a secret: it must be the key's own, not just share its id
          const active = yield* keys.findActive(id)
          if (Option.isSome(active) && !secretMatches(given, active.value)) return yield* noSuchKey()
        }
        return yield* Effect.catchTag(revokeId(id), "ApiKeyNotFound", noSuchKey)
      })

    return { create, make, list: keys.list, revoke, revokeId } as const
  })
}) {}
