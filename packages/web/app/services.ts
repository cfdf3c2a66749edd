import { FetchHttpClient, HttpApiClient, HttpClient, HttpClientResponse } from "@effect/platform"
import { CashRegisterApi, StoreAnalyticsApi } from "@icash/domain"
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

// No trace headers from the browser: a GET then needs no CORS preflight, so each refresh is one request.
const transformClient = HttpClient.withTracerPropagation(false)

const makeClients = (config: WebConfig) =>
  Effect.all({
    register: HttpApiClient.make(CashRegisterApi, { baseUrl: config.cash_register_url, transformClient }),
    analytics: HttpApiClient.make(StoreAnalyticsApi, { baseUrl: config.store_analytics_url, transformClient })
  })

/** The typed clients of both services (derived from their contracts in @icash/domain), and where they point. */
export type Services = Effect.Effect.Success<ReturnType<typeof makeClients>> & { readonly config: WebConfig }

export const makeServices = (config: WebConfig) =>
  Effect.map(makeClients(config), (clients): Services => ({ ...clients, config }))

export const ServicesContext = createContext<Services | null>(null)

export const useServices = (): Services => {
  const services = useContext(ServicesContext)
  if (services === null) throw new Error("useServices outside <ServicesContext.Provider>")
  return services
}
