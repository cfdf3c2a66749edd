import { FetchHttpClient, HttpApiClient, HttpClient, HttpClientRequest, HttpClientResponse } from "@effect/platform"
import { CashRegisterApi, StoreAnalyticsApi, Unauthorized } from "@icash/domain"
import { Effect, ManagedRuntime } from "effect"
import { createContext, useContext } from "react"
import { WebConfig } from "../src/WebConfig.js"

/** Every request of the page goes through Effect's fetch-based HttpClient. */
export const runtime = ManagedRuntime.make(FetchHttpClient.layer)

/** Where the services are, from the server that served this page. */
export const loadConfig = HttpClient.get("/config.json").pipe(
  Effect.flatMap(HttpClientResponse.filterStatusOk),
  Effect.flatMap(HttpClientResponse.schemaBodyJson(WebConfig))
)

/** Every request with `Authorization: Bearer <key>`; no trace headers from the browser, which traces nothing. */
const withKey = (apiKey: string) => (client: HttpClient.HttpClient) =>
  client.pipe(HttpClient.withTracerPropagation(false), HttpClient.mapRequest(HttpClientRequest.bearerToken(apiKey)))

/** Whether the services take `apiKey`: any valid key may list the products. */
export const checkKey = (config: WebConfig, apiKey: string) =>
  HttpApiClient.make(CashRegisterApi, { baseUrl: config.cash_register_url, transformClient: withKey(apiKey) }).pipe(
    Effect.flatMap((register) => register.catalog.listProducts()),
    Effect.asVoid
  )

const makeClients = (config: WebConfig, apiKey: string, signOut: (message: string) => void) => {
  const options = {
    transformClient: withKey(apiKey),
    // a key that stops working (revoked) signs the page out, with the server's words
    transformResponse: Effect.tapError((error: unknown) =>
      error instanceof Unauthorized ? Effect.sync(() => signOut(error.message)) : Effect.void
    )
  }
  return Effect.all({
    register: HttpApiClient.make(CashRegisterApi, { ...options, baseUrl: config.cash_register_url }),
    analytics: HttpApiClient.make(StoreAnalyticsApi, { ...options, baseUrl: config.store_analytics_url })
  })
}

/**
 * The typed clients of both services (derived from their contracts in @icash/domain), where they
 * point, the API key they send, and the way to sign out (with why, when the server refused the key).
 */
export type Services = Effect.Effect.Success<ReturnType<typeof makeClients>> & {
  readonly config: WebConfig
  readonly apiKey: string
  readonly signOut: (message?: string) => void
}

export const makeServices = (config: WebConfig, apiKey: string, signOut: (message?: string) => void) =>
  Effect.map(makeClients(config, apiKey, signOut), (clients): Services => ({ ...clients, config, apiKey, signOut }))

export const ServicesContext = createContext<Services | null>(null)

export const useServices = (): Services => {
  const services = useContext(ServicesContext)
  if (services === null) throw new Error("useServices outside <ServicesContext.Provider>")
  return services
}
