import { HttpClient, HttpClientRequest, HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { describe, expect, it, layer } from "@effect/vitest"
import { ConfigProvider, Effect, Layer } from "effect"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { isLocalRequest, pageUrlOf, webApp, webConfigFor } from "../src/index.js"

const services = { cashRegisterUrl: "", storeAnalyticsUrl: "", cashRegisterPort: 8000, storeAnalyticsPort: 8001 }

describe("webConfigFor", () => {
  it("points the page at the services on the host it was loaded from", () => {
    expect(webConfigFor(pageUrlOf("192.168.1.20:3000"), services)).toEqual({
      cash_register_url: "http://192.168.1.20:8000",
      store_analytics_url: "http://192.168.1.20:8001"
    })
    expect(webConfigFor(pageUrlOf(undefined), services).cash_register_url).toBe("http://localhost:8000")
    expect(webConfigFor(pageUrlOf("[::1]:3000"), services).store_analytics_url).toBe("http://[::1]:8001")
    expect(webConfigFor(pageUrlOf("not a host"), services).cash_register_url).toBe("http://localhost:8000")
  })

  it("uses a configured URL as it is, without a trailing slash", () => {
    const config = webConfigFor(pageUrlOf("localhost:3000"), {
      ...services,
      cashRegisterUrl: "https://shop.example/register/",
      storeAnalyticsUrl: " https://shop.example/analytics "
    })
    expect(config).toEqual({
      cash_register_url: "https://shop.example/register",
      store_analytics_url: "https://shop.example/analytics"
    })
  })
})

describe("isLocalRequest", () => {
  it("is a request over the loopback interface to a loopback name, only", () => {
    for (const address of ["127.0.0.1", "::1", "::ffff:127.0.0.1"]) {
      for (const host of ["localhost:3000", "127.0.0.1:3000", "[::1]:3000", "LOCALHOST", "localhost"]) {
        expect(isLocalRequest(address, host), `${address} ${host}`).toBe(true)
      }
    }
    // a tablet on the network, whatever name it used
    expect(isLocalRequest("192.168.1.30", "localhost:3000")).toBe(false)
    expect(isLocalRequest("::ffff:192.168.1.30", "192.168.1.20:3000")).toBe(false)
    expect(isLocalRequest(undefined, "localhost:3000")).toBe(false)
    // this machine, but through a name of the network, or another site's (DNS rebinding), or none
    for (
      const host of ["192.168.1.20:3000", "laptop.local:3000", "evil.example", "localhost.evil.example", "not a host"]
    ) {
      expect(isLocalRequest("127.0.0.1", host), host).toBe(false)
    }
    expect(isLocalRequest("127.0.0.1", undefined)).toBe(false)
  })
})

/** A built dashboard in a temporary directory, beside a file it must never serve, and the data directory of `npm start`. */
const assets = (() => {
  const dir = mkdtempSync(path.join(tmpdir(), "icash-web-"))
  const root = path.join(dir, "web")
  mkdirSync(path.join(root, "assets"), { recursive: true })
  writeFileSync(path.join(root, "index.html"), "<!doctype html><title>iCash</title>")
  writeFileSync(path.join(root, "assets", "index-abc123.js"), "console.log(1)")
  writeFileSync(path.join(dir, "secret.txt"), "not for the browser")
  const data = path.join(dir, "data")
  mkdirSync(data)
  return { dir, root, data, adminKey: path.join(data, "admin.key") }
})()

const ADMIN_KEY = "icash_local_admin_secret"

const ServerLive = HttpServer.serve(webApp(assets.root, services)).pipe(
  Layer.provideMerge(NodeHttpServer.layerTest),
  Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["DATA_DIR", assets.data]])))),
  Layer.merge(
    Layer.scopedDiscard(Effect.addFinalizer(() => Effect.sync(() => rmSync(assets.dir, { recursive: true }))))
  )
)

const get = (url: string, headers: Record<string, string> = {}) =>
  Effect.flatMap(
    HttpClient.HttpClient,
    (client) => client.execute(HttpClientRequest.get(url).pipe(HttpClientRequest.setHeaders(headers)))
  )

layer(ServerLive)("the dashboard's server", (it) => {
  it.effect("answers /config.json for the host the browser used, never cached", () =>
    Effect.gen(function*() {
      const response = yield* get("/config.json", { host: "tablet.local:3000" })
      expect(response.status).toBe(200)
      expect(response.headers["cache-control"]).toBe("no-store")
      expect(yield* response.json).toEqual({
        cash_register_url: "http://tablet.local:8000",
        store_analytics_url: "http://tablet.local:8001"
      })
    }))

  it.effect("gives the local admin key to a page of this machine's, at a loopback name only", () =>
    Effect.gen(function*() {
      writeFileSync(assets.adminKey, `${ADMIN_KEY}\n`)
      // the test client connects over the loopback interface
      for (const host of ["localhost:3000", "127.0.0.1:3000", "[::1]:3000"]) {
        const response = yield* get("/config.json", { host })
        expect(response.headers["cache-control"], host).toBe("no-store")
        expect(yield* response.json, host).toHaveProperty("api_key", ADMIN_KEY)
      }
      for (const host of ["192.168.1.20:3000", "tablet.local:3000", "evil.example"]) {
        expect(yield* Effect.flatMap(get("/config.json", { host }), (r) => r.json), host).not.toHaveProperty("api_key")
      }
      // no key made (yet): none given
      rmSync(assets.adminKey)
      expect(yield* Effect.flatMap(get("/config.json", { host: "localhost:3000" }), (r) => r.json)).toEqual({
        cash_register_url: "http://localhost:8000",
        store_analytics_url: "http://localhost:8001"
      })
    }))

  it.effect("serves the page at / and at the views' paths, revalidated on every load", () =>
    Effect.gen(function*() {
      for (const url of ["/", "/cashier", "/cashier/"]) {
        const response = yield* get(url)
        expect(response.status, url).toBe(200)
        expect(response.headers["content-type"], url).toMatch(/^text\/html/)
        expect(response.headers["cache-control"], url).toBe("no-cache")
        expect(yield* response.text, url).toContain("<title>iCash</title>")
      }
    }))

  it.effect("serves the hashed assets for a year, with their type", () =>
    Effect.gen(function*() {
      const response = yield* get("/assets/index-abc123.js")
      expect(response.status).toBe(200)
      expect(response.headers["content-type"]).toMatch(/javascript/)
      expect(response.headers["cache-control"]).toBe("public, max-age=31536000, immutable")
    }))

  it.effect("answers 404 for a missing file, and never reads outside its directory", () =>
    Effect.gen(function*() {
      for (
        const url of ["/assets/gone-123.js", "/favicon.ico", "/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt"]
      ) {
        const response = yield* get(url)
        expect(response.status, url).toBe(404)
        expect(yield* response.text, url).not.toContain("not for the browser")
      }
      // a path that is not even valid percent-encoding
      expect((yield* get("/%E0%A4%A")).status).toBe(404)
    }))
})
