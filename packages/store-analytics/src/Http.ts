import { HttpApiBuilder, HttpServerResponse } from "@effect/platform"
import { AccessLive } from "@icash/auth"
import {
  encodeLoyalCustomersPage,
  encodeSales,
  encodeTopProducts,
  encodeUniqueCustomers,
  StoreAnalyticsApi
} from "@icash/domain"
import { healthHandlers, serveApi } from "@icash/runtime"
import { Effect, Layer } from "effect"
import { Analytics } from "./Analytics.js"
import { FiguresFeed } from "./FiguresFeed.js"
import { liveStream } from "./LiveStream.js"

/** A 200 of an answer its hand encoder writes (see AnalyticsEncoded), instead of the endpoint's Schema. */
const json = <A, I>(encode: (answer: A) => I) => (answer: A) => HttpServerResponse.unsafeJson(encode(answer))

const AnalyticsHttpLive = HttpApiBuilder.group(StoreAnalyticsApi, "analytics", (handlers) =>
  Effect.gen(function*() {
    const analytics = yield* Analytics
    return handlers
      .handle("uniqueCustomers", () => Effect.map(analytics.uniqueCustomers(), json(encodeUniqueCustomers)))
      .handle("loyalCustomers", ({ urlParams }) =>
        Effect.map(analytics.loyalCustomers(urlParams), json(encodeLoyalCustomersPage)))
      .handle("topProducts", ({ urlParams }) =>
        Effect.map(analytics.topProducts(urlParams), json(encodeTopProducts)))
      .handle("sales", ({ urlParams }) => Effect.map(analytics.sales(urlParams), json(encodeSales)))
      .handle("stream", ({ request }) => liveStream(request.headers["last-event-id"]))
  }))

const HealthHttpLive = HttpApiBuilder.group(StoreAnalyticsApi, "health", (handlers) =>
  Effect.gen(function*() {
    const health = yield* healthHandlers
    return handlers.handle("health", health.health).handle("ready", health.ready)
  }))

/** The Store Analytics API with its handlers; needs the repositories and a SqlClient. */
export const StoreAnalyticsApiLive = HttpApiBuilder.api(StoreAnalyticsApi).pipe(
  Layer.provide([AnalyticsHttpLive, HealthHttpLive]),
  Layer.provide([Analytics.Default, FiguresFeed.Default, AccessLive])
)

/** Where the service listens. */
export const StoreAnalyticsPort = {
  service: "store-analytics",
  portVariable: "STORE_ANALYTICS_PORT",
  defaultPort: 8001
} as const

/** The Store Analytics service on `STORE_ANALYTICS_PORT` (default 8001). */
export const StoreAnalyticsServerLive = serveApi(StoreAnalyticsApiLive, StoreAnalyticsPort)
