import { HttpApiBuilder } from "@effect/platform"
import { AccessLive } from "@icash/auth"
import { StoreAnalyticsApi } from "@icash/domain"
import { healthHandlers, serveApi } from "@icash/runtime"
import { Effect, Layer } from "effect"
import { Analytics } from "./Analytics.js"
import { FiguresFeed } from "./FiguresFeed.js"
import { liveStream } from "./LiveStream.js"

const AnalyticsHttpLive = HttpApiBuilder.group(StoreAnalyticsApi, "analytics", (handlers) =>
  Effect.gen(function*() {
    const analytics = yield* Analytics
    return handlers
      .handle("uniqueCustomers", () => analytics.uniqueCustomers())
      .handle("loyalCustomers", ({ urlParams }) => analytics.loyalCustomers(urlParams))
      .handle("topProducts", ({ urlParams }) => analytics.topProducts(urlParams))
      .handle("sales", ({ urlParams }) => analytics.sales(urlParams))
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
