import { HttpApiClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { CashRegisterApi } from "@icash/domain"
import { type Effect, Option, type Redacted } from "effect"
import { type RetryOptions, retrySafely } from "./Retry.js"

/** The header that names one purchase across its retries (a fresh UUID per purchase). */
export const IDEMPOTENCY_KEY_HEADER = "idempotency-key"

/** `Authorization: Bearer <key>` on every request, when there is a key. */
export const withApiKey =
  (key: Option.Option<Redacted.Redacted>) => (client: HttpClient.HttpClient): HttpClient.HttpClient =>
    Option.match(key, {
      onNone: () => client,
      onSome: (key) => HttpClient.mapRequest(client, HttpClientRequest.bearerToken(key))
    })

export interface ClientOptions {
  readonly url: string
  readonly key: Option.Option<Redacted.Redacted>
  readonly retry: RetryOptions
}

/** The typed Cash Register client the tills use, over whatever HttpClient is provided. */
export const makeCashRegisterClient = (options: ClientOptions) =>
  HttpApiClient.make(CashRegisterApi, {
    baseUrl: options.url,
    transformClient: (client) => client.pipe(retrySafely(options.retry), withApiKey(options.key))
  })

export type CashRegisterClient = Effect.Effect.Success<ReturnType<typeof makeCashRegisterClient>>
