import { HttpApiBuilder, HttpServerResponse } from "@effect/platform"
import { AccessLive, KeyAdmin } from "@icash/auth"
import { type BranchId, Caller, CashRegisterApi, encodePurchase, Forbidden } from "@icash/domain"
import { healthHandlers, serveApi } from "@icash/runtime"
import { Effect, Layer } from "effect"
import { Catalog } from "./Catalog.js"
import { KeyRetentionLive } from "./KeyRetention.js"
import { Purchases, type Recorded } from "./Purchases.js"
import { RollupUpkeepLive } from "./RollupUpkeep.js"

const CatalogHttpLive = HttpApiBuilder.group(CashRegisterApi, "catalog", (handlers) =>
  Effect.gen(function*() {
    const catalog = yield* Catalog
    return handlers
      .handle("listBranches", () => Effect.map(catalog.current, (snapshot) => snapshot.branches))
      .handle("listProducts", () => Effect.map(catalog.current, (snapshot) => snapshot.products))
  }))

/** A register key works for its own branch only. */
const ownBranch = (branchId: BranchId, doing: string) =>
  Effect.flatMap(Caller, (caller) =>
    caller.branchId === undefined || caller.branchId === branchId
      ? Effect.void
      : Effect.fail(
        new Forbidden({
          message: `this register key belongs to branch ${caller.branchId}; it may not ${doing} of branch ${branchId}`
        })
      ))

/** The 201 of a purchase, encoded by hand (see encodePurchase). */
const created = ({ purchase, replayed }: Recorded) =>
  HttpServerResponse.unsafeJson(encodePurchase(purchase), {
    status: 201,
    headers: replayed ? { "idempotent-replayed": "true" } : undefined
  })

const PurchasesHttpLive = HttpApiBuilder.group(CashRegisterApi, "purchases", (handlers) =>
  Effect.gen(function*() {
    const purchases = yield* Purchases
    return handlers
      .handle("create", ({ headers, payload }) =>
        Effect.zipRight(
          ownBranch(payload.branch_id, "record purchases"),
          Effect.map(purchases.create(payload, headers["idempotency-key"]), created)
        ))
      .handle("get", ({ path }) =>
        Effect.tap(purchases.find(path.id), (purchase) =>
          ownBranch(purchase.branch_id, "read the purchases")))
  }))

const KeysHttpLive = HttpApiBuilder.group(CashRegisterApi, "keys", (handlers) =>
  Effect.gen(function*() {
    const admin = yield* KeyAdmin
    return handlers
      .handle("list", () => admin.list())
      .handle("create", ({ payload }) => admin.make(payload))
      .handle("revoke", ({ path }) => admin.revokeId(path.id))
  }))

const HealthHttpLive = HttpApiBuilder.group(CashRegisterApi, "health", (handlers) =>
  Effect.gen(function*() {
    const health = yield* healthHandlers
    return handlers.handle("health", health.health).handle("ready", health.ready)
  }))

/** The Cash Register API with its handlers; needs the repositories, a SqlClient and its Notifications. */
export const CashRegisterApiLive = HttpApiBuilder.api(CashRegisterApi).pipe(
  Layer.provide([CatalogHttpLive, PurchasesHttpLive, KeysHttpLive, HealthHttpLive]),
  Layer.provide([Purchases.Default, Catalog.Default, KeyAdmin.Default, KeyRetentionLive, RollupUpkeepLive, AccessLive])
)

/** Where the service listens. */
export const CashRegisterPort = {
  service: "cash-register",
  portVariable: "CASH_REGISTER_PORT",
  defaultPort: 8000
} as const

/** The Cash Register service on `CASH_REGISTER_PORT` (default 8000). */
export const CashRegisterServerLive = serveApi(CashRegisterApiLive, CashRegisterPort)
