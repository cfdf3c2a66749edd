import type { ApiKey, Branch, CreatedApiKey } from "@icash/domain"
import { CatalogRepo } from "@icash/persistence"
import { Context, Effect, Layer } from "effect"
import { KeyAdmin, type KeyAdminError, type KeyToMake } from "./KeyAdmin.js"

/** What `npm run keys -- create|list|revoke` works on: the database, or the Cash Register running on it. */
export class KeyStore extends Context.Tag("auth/KeyStore")<KeyStore, {
  readonly branches: Effect.Effect<ReadonlyArray<Branch>, KeyAdminError>
  readonly create: (key: KeyToMake) => Effect.Effect<CreatedApiKey, KeyAdminError>
  readonly list: Effect.Effect<ReadonlyArray<ApiKey>, KeyAdminError>
  readonly revoke: (idOrSecret: string) => Effect.Effect<ApiKey, KeyAdminError>
}>() {}

/** The keys in the database, through KeyAdmin. */
export const DatabaseKeyStore = Layer.effect(
  KeyStore,
  Effect.gen(function*() {
    const admin = yield* KeyAdmin
    const catalog = yield* CatalogRepo
    return { branches: catalog.listBranches(), create: admin.create, list: admin.list(), revoke: admin.revoke }
  })
)
