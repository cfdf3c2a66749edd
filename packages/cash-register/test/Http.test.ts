import { HttpApiClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { describe, expect, layer } from "@effect/vitest"
import { ApiKeyClientLive } from "@icash/auth/testing"
import { CashRegisterApiLive } from "@icash/cash-register"
import { BranchId, CashRegisterApi, NewPurchase, NewPurchaseItem, ProductId } from "@icash/domain"
import { InMemoryDatabaseLive } from "@icash/persistence/testing"
import { httpApiLive } from "@icash/runtime"
import { Effect, Layer } from "effect"
import { alice, branches, products } from "./fixtures.js"

// The real HTTP stack (routing, keys, decoding, error bodies, docs) on a random port, over in-memory
// data; the client sends an admin key.
const TestServerLive = ApiKeyClientLive().pipe(
  Layer.provideMerge(httpApiLive(CashRegisterApiLive)),
  Layer.provideMerge(InMemoryDatabaseLive({ branches, products })),
  Layer.provideMerge(NodeHttpServer.layerTest)
)

const post = (path: string, body: string) =>
  Effect.flatMap(HttpClient.HttpClient, (client) =>
    client.execute(
      HttpClientRequest.post(path).pipe(HttpClientRequest.bodyText(body, "application/json"))
    )).pipe(Effect.flatMap((response) => Effect.map(response.json, (json) => ({ status: response.status, json }))))

const postWithKey = (body: object, key: string) =>
  Effect.flatMap(HttpClient.HttpClient, (client) =>
    client.execute(
      HttpClientRequest.post("/purchases").pipe(
        HttpClientRequest.setHeader("idempotency-key", key),
        HttpClientRequest.bodyText(JSON.stringify(body), "application/json")
      )
    )).pipe(
      Effect.flatMap((response) =>
        Effect.map(response.json, (json) => ({
          status: response.status,
          replayed: response.headers["idempotent-replayed"],
          json
        }))
      )
    )

const get = (path: string) =>
  Effect.flatMap(HttpClient.HttpClient, (client) => client.get(path)).pipe(
    Effect.flatMap((response) => Effect.map(response.json, (json) => ({ status: response.status, json })))
  )

layer(TestServerLive)("cash register over HTTP", (it) => {
  it.effect("lists branches and products with exact prices", () =>
    Effect.gen(function*() {
      const client = yield* HttpApiClient.make(CashRegisterApi)
      expect((yield* client.catalog.listBranches()).map((b) => b.code)).toEqual(["SMKT001", "SMKT002"])
      expect(yield* get("/products")).toEqual({
        status: 200,
        json: [
          { id: 1, product_name: "milk", unit_price: 1.5 },
          { id: 2, product_name: "bread", unit_price: 2 },
          { id: 3, product_name: "chewing gum", unit_price: 0.1 },
          { id: 4, product_name: "mints", unit_price: 0.2 }
        ]
      })
    }))

  it.effect("records a purchase: 201 with the server's prices and total", () =>
    Effect.gen(function*() {
      const response = yield* post(
        "/purchases",
        JSON.stringify({ branch_id: 1, user_id: alice, items: [{ product_id: 3 }, { product_id: 4 }] })
      )
      expect(response.status).toBe(201)
      expect(response.json).toMatchObject({
        branch_id: 1,
        user_id: alice,
        total_amount: 0.3,
        items: [
          { product_id: 3, product_name: "chewing gum", quantity: 1, unit_price: 0.1 },
          { product_id: 4, product_name: "mints", quantity: 1, unit_price: 0.2 }
        ]
      })
      const { id, timestamp } = response.json as { id: number; timestamp: string }
      expect(timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/)
      expect(yield* get(`/purchases/${id}`)).toEqual({ status: 200, json: response.json })
    }))

  it.effect("answers every broken request with a 4xx JSON error that names the problem", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<[string, string, number, string, RegExp]> = [
        ["malformed JSON", "{\"branch_id\": 1,", 400, "MalformedRequest", /not valid JSON/],
        [
          "wrong types",
          JSON.stringify({ branch_id: "one", items: [{ product_id: 1 }] }),
          400,
          "HttpApiDecodeError",
          /Expected number/
        ],
        ["empty items", JSON.stringify({ branch_id: 1, items: [] }), 400, "HttpApiDecodeError", /must not be empty/],
        [
          "quantity 2",
          JSON.stringify({ branch_id: 1, items: [{ product_id: 1, quantity: 2 }] }),
          400,
          "HttpApiDecodeError",
          /quantity must be 1/
        ],
        [
          "user_id not v4",
          JSON.stringify({ branch_id: 1, user_id: "123", items: [{ product_id: 1 }] }),
          400,
          "HttpApiDecodeError",
          /UUID v4/
        ],
        [
          "id out of range",
          JSON.stringify({ branch_id: 1, items: [{ product_id: 99_999_999_999 }] }),
          400,
          "HttpApiDecodeError",
          /Product id must be a whole number from 1 to 2147483647/
        ],
        [
          "a total sent by the client",
          JSON.stringify({ branch_id: 1, items: [{ product_id: 1 }], total_amount: 0.01 }),
          400,
          "HttpApiDecodeError",
          /is unexpected/
        ],
        [
          "unknown branch",
          JSON.stringify({ branch_id: 77, items: [{ product_id: 1 }] }),
          422,
          "UnknownBranch",
          /branch 77 does not exist/
        ],
        [
          "unknown product",
          JSON.stringify({ branch_id: 1, items: [{ product_id: 99 }] }),
          422,
          "UnknownProducts",
          /unknown products: 99/
        ],
        [
          "same product twice",
          JSON.stringify({ branch_id: 1, items: [{ product_id: 1 }, { product_id: 1 }] }),
          422,
          "DuplicateProducts",
          /more than once: 1/
        ]
      ]
      for (const [name, body, status, tag, message] of cases) {
        const response = yield* post("/purchases", body)
        expect({ name, status: response.status }).toEqual({ name, status })
        expect(response.json).toMatchObject({ _tag: tag })
        expect((response.json as { message: string }).message).toMatch(message)
      }
      expect((yield* get("/purchases/abc")).status).toBe(400)
      expect((yield* get("/purchases/99999999999999999999")).status).toBe(400)
      expect(yield* get("/purchases/12345")).toEqual({
        status: 404,
        json: { _tag: "PurchaseNotFound", id: 12345, message: "purchase 12345 does not exist" }
      })
      expect(yield* get("/nowhere")).toEqual({
        status: 404,
        json: { _tag: "RouteNotFound", message: "no endpoint for GET /nowhere" }
      })
      // none of the refused purchases was stored: the only one is the earlier test's
      expect((yield* get("/purchases/2")).status).toBe(404)
    }))

  it.effect("answers a retry with the same Idempotency-Key with the stored purchase, marked as replayed", () =>
    Effect.gen(function*() {
      const body = { branch_id: 1, items: [{ product_id: 1 }] }
      const first = yield* postWithKey(body, "till-3/2026-11-26/0042")
      expect(first).toMatchObject({ status: 201, replayed: undefined })
      const retry = yield* postWithKey(body, "till-3/2026-11-26/0042")
      expect(retry).toEqual({ status: 201, replayed: "true", json: first.json })
      const changed = yield* postWithKey({ ...body, items: [{ product_id: 2 }] }, "till-3/2026-11-26/0042")
      expect(changed).toMatchObject({ status: 422, json: { _tag: "IdempotencyKeyReused" } })
      for (const bad of ["", "x".repeat(256), "caf\u00e9"]) {
        const refused = yield* postWithKey(body, bad)
        expect(refused.status, JSON.stringify(bad)).toBe(400)
        expect(JSON.stringify(refused.json)).toContain("Idempotency-Key must be 1 to 255 printable ASCII characters")
      }
      // the typed client takes the key as a header
      const client = yield* HttpApiClient.make(CashRegisterApi)
      const typed = yield* client.purchases.create({
        headers: { "idempotency-key": "till-3/2026-11-26/0042" },
        payload: NewPurchase.make({
          branch_id: BranchId.make(1),
          items: [new NewPurchaseItem({ product_id: ProductId.make(1), quantity: 1 })]
        })
      })
      expect(typed.id).toBe((first.json as { id: number }).id)
    }))

  describe("documentation", () => {
    it.effect("serves the OpenAPI spec and Swagger UI, with every endpoint and error described", () =>
      Effect.gen(function*() {
        const { json: spec, status } = yield* get("/openapi.json")
        expect(status).toBe(200)
        const paths = (spec as { paths: Record<string, Record<string, { description?: string; responses: object }>> })
          .paths
        expect(Object.keys(paths).sort()).toEqual([
          "/branches",
          "/health",
          "/keys",
          "/keys/{id}",
          "/products",
          "/purchases",
          "/purchases/{id}",
          "/ready"
        ])
        for (const operations of Object.values(paths)) {
          for (const operation of Object.values(operations)) expect(operation.description).toBeTruthy()
        }
        expect(Object.keys(paths["/purchases"]!.post!.responses).sort()).toEqual([
          "201",
          "400",
          "401",
          "403",
          "409",
          "413",
          "415",
          "422",
          "429",
          "500",
          "503"
        ])
        const security = spec as {
          components: { securitySchemes: Record<string, unknown> }
          paths: Record<string, Record<string, { security?: Array<Record<string, unknown>> }>>
        }
        expect(security.components.securitySchemes["apiKey"]).toMatchObject({ type: "http", scheme: "bearer" })
        expect(security.paths["/purchases"]!.post!.security).toEqual([{ apiKey: [] }])
        expect(security.paths["/ready"]!.get!.security ?? []).toEqual([])
        const docs = yield* Effect.flatMap(HttpClient.HttpClient, (client) => client.get("/docs"))
        expect(docs.status).toBe(200)
        expect(yield* docs.text).toContain("swagger-ui")
      }))
  })
})
