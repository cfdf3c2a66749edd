import { HttpApi, HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { secretId } from "@icash/auth"
import { makeApiKey } from "@icash/auth/testing"
import { CashRegisterApiLive } from "@icash/cash-register"
import {
  Branch,
  BranchId,
  CashRegisterApi,
  cents,
  customerId,
  Product,
  ProductId,
  Purchase,
  PurchaseId,
  PurchaseItem,
  type Role,
  StoreAnalyticsApi
} from "@icash/domain"
import { AnalyticsRepo, ApiKeysRepo } from "@icash/persistence"
import { InMemoryDatabaseLive } from "@icash/persistence/testing"
import { httpApiLive } from "@icash/runtime"
import { StoreAnalyticsApiLive } from "@icash/store-analytics"
import { ConfigProvider, DateTime, Effect, Layer } from "effect"

const milk = new Product({ id: ProductId.make(1), product_name: "milk", unit_price: cents(150) })
const branches = [
  new Branch({ id: BranchId.make(1), code: "SMKT001", name: "Centro" }),
  new Branch({ id: BranchId.make(2), code: "SMKT002", name: "Norte" })
]
// purchase 1, of branch 1
const purchases = [
  new Purchase({
    id: PurchaseId.make(1),
    branch_id: BranchId.make(1),
    user_id: customerId("11111111-1111-4111-8111-111111111111"),
    timestamp: DateTime.unsafeMake(0),
    total_amount: cents(150),
    items: [new PurchaseItem({ product_id: milk.id, product_name: "milk", quantity: 1, unit_price: cents(150) })]
  })
]
const data = { branches, products: [milk], purchases }

/** The roles each endpoint of a contract lets through, read from its access middleware; none: open. */
const permissions = (api: HttpApi.HttpApi.Any) => {
  const found = new Map<string, ReadonlyArray<Role> | "open">()
  HttpApi.reflect(api as HttpApi.HttpApi.AnyWithProps, {
    onGroup: () => {},
    onEndpoint: ({ endpoint, group, middleware }) => {
      const roles = [...middleware].flatMap((tag) => ("roles" in tag ? [tag.roles as ReadonlyArray<Role>] : []))
      found.set(`${group.identifier}.${endpoint.name}`, roles.length === 0 ? "open" : roles[0]!)
    }
  })
  return found
}

/**
 * One request per endpoint, each about branch 1's data (the matrix below checks the contract names them all);
 * the key they revoke is one made for that, so that revoking it breaks no other row.
 */
const requestsRevoking = (throwawayKeyId: string): Record<string, HttpClientRequest.HttpClientRequest> => ({
  "catalog.listBranches": HttpClientRequest.get("/branches"),
  "catalog.listProducts": HttpClientRequest.get("/products"),
  "purchases.create": HttpClientRequest.post("/purchases").pipe(
    HttpClientRequest.bodyUnsafeJson({ branch_id: 1, items: [{ product_id: 1 }] })
  ),
  "purchases.get": HttpClientRequest.get("/purchases/1"),
  "health.health": HttpClientRequest.get("/health"),
  "health.ready": HttpClientRequest.get("/ready"),
  "analytics.uniqueCustomers": HttpClientRequest.get("/analytics/customers"),
  "analytics.loyalCustomers": HttpClientRequest.get("/analytics/loyal-customers"),
  "analytics.topProducts": HttpClientRequest.get("/analytics/top-products"),
  "analytics.sales": HttpClientRequest.get("/analytics/sales"),
  "analytics.stream": HttpClientRequest.get("/analytics/stream"),
  "keys.list": HttpClientRequest.get("/keys"),
  "keys.create": HttpClientRequest.post("/keys").pipe(HttpClientRequest.bodyUnsafeJson({ role: "analyst" })),
  "keys.revoke": HttpClientRequest.del(`/keys/${throwawayKeyId}`)
})

type Caller =
  | "no key"
  | "another scheme"
  | "made-up key"
  | "revoked key"
  | "admin"
  | "analyst"
  | "register of branch 1"
  | "register of branch 2"

const callers: ReadonlyArray<Caller> = [
  "no key",
  "another scheme",
  "made-up key",
  "revoked key",
  "admin",
  "analyst",
  "register of branch 1",
  "register of branch 2"
]

const authorizationFor = (caller: Caller) =>
  Effect.gen(function*() {
    switch (caller) {
      case "no key":
        return undefined
      case "another scheme":
        return "Basic dXNlcjpwYXNz"
      case "made-up key":
        return "Bearer icash_0123456789ab_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
      case "revoked key": {
        const secret = yield* makeApiKey({ role: "admin" })
        yield* Effect.flatMap(ApiKeysRepo, (keys) => keys.revoke(secretId(secret)!))
        return `Bearer ${secret}`
      }
      case "admin":
      case "analyst":
        return `Bearer ${yield* makeApiKey({ role: caller })}`
      case "register of branch 1":
        return `Bearer ${yield* makeApiKey({ role: "register", branch: "SMKT001" })}`
      case "register of branch 2":
        return `Bearer ${yield* makeApiKey({ role: "register", branch: "SMKT002" })}`
    }
  })

/**
 * What the caller must get: every rule of the issue, written out. (Readiness over in-memory data,
 * which has no SQL to ask, is not ready: it is only checked to let anyone ask.)
 */
const expected = (caller: Caller, endpoint: string, allowed: ReadonlyArray<Role> | "open") => {
  if (allowed === "open") return endpoint === "health.ready" ? "not refused" : 200
  if (caller === "no key" || caller === "another scheme" || caller === "made-up key" || caller === "revoked key") {
    return 401
  }
  const role: Role = caller === "admin" ? "admin" : caller === "analyst" ? "analyst" : "register"
  if (!allowed.includes(role)) return 403
  if (caller === "register of branch 2" && endpoint.startsWith("purchases.")) return 403
  return endpoint === "purchases.create" || endpoint === "keys.create" ? 201 : 200
}

/** A service's real HTTP stack over the in-memory data, and a client of it. */
const serverOf = <E, R>(api: Layer.Layer<HttpApi.Api, E, R>) =>
  httpApiLive(api).pipe(
    Layer.provideMerge(InMemoryDatabaseLive(data)),
    Layer.provideMerge(NodeHttpServer.layerTest)
  )

const services = [
  { name: "Cash Register", api: CashRegisterApi, server: serverOf(CashRegisterApiLive) },
  { name: "Store Analytics", api: StoreAnalyticsApi, server: serverOf(StoreAnalyticsApiLive) }
] as const

describe("who may call what", () => {
  for (const service of services) {
    it.live(`${service.name}: every endpoint answers every kind of caller as its role allows`, () =>
      Effect.gen(function*() {
        const client = yield* HttpClient.HttpClient
        const matrix = permissions(service.api)
        const requests = requestsRevoking(secretId(yield* makeApiKey({ role: "analyst", name: "throwaway" }))!)
        for (const endpoint of matrix.keys()) expect(requests, `a request for ${endpoint}`).toHaveProperty(endpoint)
        // what is stored, to check that a refused request writes nothing
        const stored = Effect.all({
          keys: Effect.map(Effect.flatMap(ApiKeysRepo, (keys) => keys.list()), (all) => all.length),
          purchases: Effect.map(Effect.flatMap(AnalyticsRepo, (analytics) => analytics.figures()), (f) => f.purchases)
        })
        for (const caller of callers) {
          const authorization = yield* authorizationFor(caller)
          for (const [endpoint, allowed] of matrix) {
            const request = requests[endpoint]!
            const before = yield* stored
            const response = yield* client.execute(
              authorization === undefined
                ? request
                : HttpClientRequest.setHeader(request, "authorization", authorization)
            )
            const status = expected(caller, endpoint, allowed)
            if (status === "not refused") expect([401, 403], `${caller} → ${endpoint}`).not.toContain(response.status)
            else expect(response.status, `${caller} → ${endpoint}`).toBe(status)
            if (status === 401 || status === 403) {
              const body = (yield* response.json) as { _tag: string; message: string }
              expect(body._tag).toBe(status === 401 ? "Unauthorized" : "Forbidden")
              expect(body.message).not.toContain("icash_")
              expect(yield* stored, `nothing written for ${caller} → ${endpoint}`).toEqual(before)
            }
          }
        }
      }).pipe(Effect.scoped, Effect.provide(service.server as typeof services[0]["server"])))
  }

  it.live("explains each refusal in words", () =>
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const refusal = (authorization: string | undefined, path = "/analytics/customers") =>
        client.execute(
          authorization === undefined
            ? HttpClientRequest.get(path)
            : HttpClientRequest.get(path, { headers: { authorization } })
        ).pipe(Effect.flatMap((response) => response.json))
      expect(yield* refusal(undefined)).toEqual({
        _tag: "Unauthorized",
        message: "missing Authorization header: send Authorization: Bearer <API key>"
      })
      expect(yield* refusal("Basic abc")).toEqual({
        _tag: "Unauthorized",
        message: "the Authorization header must be Bearer <API key>"
      })
      expect(yield* refusal("Bearer nonsense")).toEqual({ _tag: "Unauthorized", message: "unknown or revoked API key" })
      const register = yield* makeApiKey({ role: "register", branch: "SMKT002" })
      expect(yield* refusal(`Bearer ${register}`)).toEqual({
        _tag: "Forbidden",
        message: "a register key may not use this endpoint; it takes an analyst or an admin key"
      })
    }).pipe(Effect.scoped, Effect.provide(serverOf(StoreAnalyticsApiLive))))

  it.live("limits each register or analyst key to API_KEY_RATE_LIMIT requests a second, with Retry-After; admin keys are not limited", () =>
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const statuses = (key: string, times: number) =>
        Effect.forEach(
          Array.from({ length: times }),
          () => client.execute(HttpClientRequest.get("/analytics/customers").pipe(HttpClientRequest.bearerToken(key)))
        )
      const analyst = yield* makeApiKey({ role: "analyst" })
      const another = yield* makeApiKey({ role: "analyst" })
      const admin = yield* makeApiKey({ role: "admin" })
      const answers = yield* statuses(analyst, 5)
      expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 429, 429])
      expect(answers[3]!.headers["retry-after"]).toBe("1")
      expect(yield* answers[3]!.json).toMatchObject({ _tag: "TooManyRequests" })
      // the limit is per key
      expect((yield* statuses(another, 1)).map((r) => r.status)).toEqual([200])
      expect((yield* statuses(admin, 10)).map((r) => r.status)).toEqual(Array(10).fill(200))
      // and the bucket refills
      yield* Effect.sleep("1100 millis")
      expect((yield* statuses(analyst, 1)).map((r) => r.status)).toEqual([200])
    }).pipe(
      Effect.scoped,
      Effect.provide(
        serverOf(StoreAnalyticsApiLive).pipe(
          Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["API_KEY_RATE_LIMIT", "3"]]))))
        )
      )
    ))
})
