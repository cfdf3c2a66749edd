import { HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { ApiKeyClientLive } from "@icash/auth/testing"
import { CashRegisterApiLive } from "@icash/cash-register"
import { InMemoryDatabaseLive } from "@icash/persistence/testing"
import { httpApiLive } from "@icash/runtime"
import { Effect, Layer } from "effect"
import { branches, products } from "./fixtures.js"

// The real HTTP stack over in-memory data; the client sends an admin key unless a request names another.
const TestServerLive = ApiKeyClientLive().pipe(
  Layer.provideMerge(httpApiLive(CashRegisterApiLive)),
  Layer.provideMerge(InMemoryDatabaseLive({ branches, products })),
  Layer.provideMerge(NodeHttpServer.layerTest)
)

const send = (request: HttpClientRequest.HttpClientRequest) =>
  Effect.flatMap(HttpClient.HttpClient, (client) => client.execute(request)).pipe(
    Effect.flatMap((response) => Effect.map(response.json, (json) => ({ status: response.status, json })))
  )

const create = (body: object) => send(HttpClientRequest.post("/keys").pipe(HttpClientRequest.bodyUnsafeJson(body)))

describe("the keys endpoints", () => {
  it.live("make a key (its secret shown once), list it without its secret, and revoke it: then it is refused", () =>
    Effect.gen(function*() {
      const made = yield* create({ role: "analyst", name: "head office" })
      expect(made).toMatchObject({
        status: 201,
        json: { key: { role: "analyst", branch_id: null, name: "head office", revoked_at: null } }
      })
      const { key: { id }, secret } = made.json as { key: { id: string }; secret: string }
      expect(secret).toMatch(new RegExp(`^icash_${id}_[A-Za-z0-9_-]{43}$`))

      const listed = yield* send(HttpClientRequest.get("/keys"))
      expect(listed.status).toBe(200)
      expect(listed.json).toContainEqual(expect.objectContaining({ id, role: "analyst", name: "head office" }))
      expect(JSON.stringify(listed.json)).not.toContain("icash_")

      const branchesWith = send(HttpClientRequest.get("/branches").pipe(HttpClientRequest.bearerToken(secret)))
      expect((yield* branchesWith).status).toBe(200)
      const revoked = yield* send(HttpClientRequest.del(`/keys/${id}`))
      expect(revoked).toMatchObject({ status: 200, json: { id, revoked_at: expect.any(String) } })
      expect(yield* branchesWith).toEqual({
        status: 401,
        json: { _tag: "Unauthorized", message: "unknown or revoked API key" }
      })
    }).pipe(Effect.scoped, Effect.provide(TestServerLive)))

  it.live("make a register key for a branch of the chain only, and revoke only keys that exist", () =>
    Effect.gen(function*() {
      expect(yield* create({ role: "register", branch_id: 2, name: "till 1" })).toMatchObject({
        status: 201,
        json: { key: { role: "register", branch_id: 2, name: "till 1" } }
      })
      expect(yield* create({ role: "register", branch_id: 99 })).toEqual({
        status: 422,
        json: { _tag: "UnknownBranch", branch_id: 99, message: "branch 99 does not exist" }
      })
      expect(yield* send(HttpClientRequest.del("/keys/0123456789ab"))).toEqual({
        status: 404,
        json: { _tag: "ApiKeyNotFound", id: "0123456789ab", message: "no API key has the id 0123456789ab" }
      })
      expect(yield* send(HttpClientRequest.del("/keys/nonsense"))).toMatchObject({
        status: 400,
        json: { _tag: "HttpApiDecodeError" }
      })
    }).pipe(Effect.scoped, Effect.provide(TestServerLive)))

  it.live("refuse a register key without a branch, another role with one, and unknown fields: 400, saying why", () =>
    Effect.gen(function*() {
      const refusal = (body: object) =>
        Effect.map(create(body), ({ json, status }) => ({ status, ...(json as object) }))
      expect(yield* refusal({ role: "register" })).toMatchObject({
        status: 400,
        _tag: "HttpApiDecodeError",
        message: expect.stringContaining("a register key belongs to a branch: give branch_id")
      })
      expect(yield* refusal({ role: "admin", branch_id: 1 })).toMatchObject({
        status: 400,
        message: expect.stringContaining("an admin key belongs to no branch: leave branch_id out")
      })
      expect(yield* refusal({ role: "analyst", branch: "SMKT001" })).toMatchObject({
        status: 400,
        issues: [{ _tag: "Unexpected", path: ["branch"] }]
      })
      expect(yield* refusal({ role: "owner" })).toMatchObject({ status: 400, _tag: "HttpApiDecodeError" })
    }).pipe(Effect.scoped, Effect.provide(TestServerLive)))
})
