import { FetchHttpClient, HttpApiClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { CashRegisterApi } from "@icash/domain"
import { localServiceUrl } from "@icash/runtime"
import { Config, Effect, Layer, Option } from "effect"
import { KeyAdminError, keyIdOf, keyToMake, noSuchKey } from "./KeyAdmin.js"
import { KeyStore } from "./KeyStore.js"
import { localAdminKeyFile, readLocalAdminKey } from "./LocalAdminKey.js"

/** The Cash Register's port, as it reads it (its CashRegisterPort: that package depends on this one). */
const cashRegisterPort = Config.port("CASH_REGISTER_PORT").pipe(Config.withDefault(8000))

const inUse = "the embedded database is in use by another process"

/**
 * The keys through the Cash Register of this machine's `npm start`, which holds the embedded
 * database, signed in with its local admin key.
 */
export const CashRegisterKeyStore = Layer.effect(
  KeyStore,
  Effect.gen(function*() {
    const baseUrl = yield* localServiceUrl(cashRegisterPort)
    const keyFile = yield* localAdminKeyFile
    const secret = yield* readLocalAdminKey
    if (Option.isNone(secret)) {
      return yield* new KeyAdminError({
        message: `${inUse}, and there is no admin key in ${keyFile} to ask its Cash Register with: ` +
          "stop that process, or set DATABASE_URL to use a PostgreSQL server"
      })
    }
    const client = yield* HttpApiClient.make(CashRegisterApi, {
      baseUrl,
      transformClient: HttpClient.mapRequest(HttpClientRequest.bearerToken(secret.value))
    })

    const explain = (error: { readonly _tag: string; readonly message: string }) =>
      error._tag === "ApiKeyNotFound" ? noSuchKey() : new KeyAdminError({
        message: error._tag === "RequestError"
          ? `${inUse}, and no Cash Register answers at ${baseUrl}: wait until npm start is ready (or check ` +
            "CASH_REGISTER_PORT and HOST), or stop that process, or set DATABASE_URL to use a PostgreSQL server"
          : error._tag === "Unauthorized" || error._tag === "Forbidden"
          ? `the Cash Register at ${baseUrl} refused the admin key in ${keyFile} (${error.message}); ` +
            "restart npm start to make a new one"
          : `the Cash Register at ${baseUrl} answered: ${error.message}`
      })
    const branches = Effect.mapError(client.catalog.listBranches(), explain)

    return {
      branches,
      create: (key) =>
        Effect.flatMap(branches, (all) => keyToMake(key, all)).pipe(
          Effect.flatMap((payload) => Effect.mapError(client.keys.create({ payload }), explain))
        ),
      list: Effect.mapError(client.keys.list(), explain),
      revoke: (idOrSecret) => {
        const id = keyIdOf(idOrSecret)
        return id === undefined
          ? Effect.fail(noSuchKey())
          : Effect.mapError(client.keys.revoke({ path: { id } }), explain)
      }
    }
  })
).pipe(Layer.provide(FetchHttpClient.layer))
