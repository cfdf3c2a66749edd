import { HttpApiBuilder, HttpApp, HttpServerResponse } from "@effect/platform"
import { CashRegisterApi } from "@icash/domain"
import { healthHandlers, serveApi } from "@icash/runtime"
import { Effect, Layer } from "effect"
import { Catalog } from "./Catalog.js"
import { KeyRetentionLive } from "./KeyRetention.js"
import { Purchases } from "./Purchases.js"
import { RollupUpkeepLive } from "./RollupUpkeep.js"

const CatalogHttpLive = HttpApiBuilder.group(CashRegisterApi, "catalog", (handlers) =>
  Effect.gen(function*() {
    const catalog = yield* Catalog
    return handlers
      .handle("listBranches", () => Effect.map(catalog.current, (snapshot) => snapshot.branches))
      .handle("listProducts", () => Effect.map(catalog.current, (snapshot) => snapshot.products))
  }))

const PurchasesHttpLive = HttpApiBuilder.group(CashRegisterApi, "purchases", (handlers) =>
  Effect.gen(function*() {
    const purchases = yield* Purchases
    return handlers
      .handle("create", ({ headers, payload }) =>
        Effect.tap(purchases.create(payload, headers["idempotency-key"]), ({ replayed }) =>
          replayed
            ? HttpApp.appendPreResponseHandler((_, response) =>
              Effect.succeed(HttpServerResponse.setHeader(response, "idempotent-replayed", "true"))
            )
            : Effect.void).pipe(Effect.map(({ purchase }) =>
              purchase
            )))
      .handle("get", ({ path }) => purchases.find(path.id))
  }))

const HealthHttpLive = HttpApiBuilder.group(CashRegisterApi, "health", (handlers) =>
  Effect.gen(function*() {
    const health = yield* healthHandlers
    return handlers.handle("health", health.health).handle("ready", health.ready)
  }))

/** The Cash Register API with its handlers; needs the repositories, a SqlClient and its Notifications. */
export const CashRegisterApiLive = HttpApiBuilder.api(CashRegisterApi).pipe(
  Layer.provide([CatalogHttpLive, PurchasesHttpLive, HealthHttpLive]),
  Layer.provide([Purchases.Default, Catalog.Default, KeyRetentionLive, RollupUpkeepLive])
)

/** Where the service listens. */
export const CashRegisterPort = {
  service: "cash-register",
  portVariable: "CASH_REGISTER_PORT",
  defaultPort: 8000
} as const

/** The Cash Register service on `CASH_REGISTER_PORT` (default 8000). */
export const CashRegisterServerLive = serveApi(CashRegisterApiLive, CashRegisterPort)
