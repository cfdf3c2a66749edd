import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Effect, Layer } from "effect"
import { KeyAdmin, type KeyToMake } from "./KeyAdmin.js"

/** For tests: makes a key (admin unless told otherwise) and returns its secret. */
export const makeApiKey = (key: KeyToMake = { role: "admin", name: "test" }) =>
  Effect.flatMap(KeyAdmin, (admin) => admin.create(key)).pipe(
    Effect.map(({ secret }) => secret),
    Effect.orDie,
    Effect.provide(KeyAdmin.Default)
  )

/** For tests: the HttpClient, sending this key with every request that names no Authorization of its own. */
export const withApiKey = <E, R>(secret: Effect.Effect<string, E, R>) =>
  Layer.effect(
    HttpClient.HttpClient,
    Effect.zipWith(secret, HttpClient.HttpClient, (secret, client) =>
      HttpClient.mapRequest(client, (request) =>
        request.headers["authorization"] === undefined ? HttpClientRequest.bearerToken(request, secret) : request))
  )

/**
 * For tests: makes a key (admin unless told otherwise) in the database the test runs on, and makes
 * every request of the HttpClient carry it (see `withApiKey`). Provide it over the layers that give
 * the HttpClient and the repositories.
 */
export const ApiKeyClientLive = (key: KeyToMake = { role: "admin", name: "test" }) => withApiKey(makeApiKey(key))
