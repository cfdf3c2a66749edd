import { FetchHttpClient, HttpApiClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { CashRegisterApi, NewPurchase, StoreAnalyticsApi } from "@icash/domain"
import { Effect, Schema } from "effect"
import { randomUUID } from "node:crypto"
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { embeddedDatabase, freePort, localAdminKey, repoRoot, startAll } from "./Processes.js"

// What the shipped data/ files hold, read straight from them.
const shipped = (file: string) => readFileSync(path.join(repoRoot, "data", file), "utf8").trim().split(/\r?\n/).slice(1)
const shippedProducts = shipped("Products_list.csv").length
const shippedCustomers = new Set(shipped("Purchases.csv").map((line) => line.split(",")[2])).size

const clientsOf = (system: { readonly cashRegister: string; readonly storeAnalytics: string }, key: string) => {
  const transformClient = HttpClient.mapRequest(HttpClientRequest.bearerToken(key))
  return Effect.all({
    register: HttpApiClient.make(CashRegisterApi, { baseUrl: system.cashRegister, transformClient }),
    analytics: HttpApiClient.make(StoreAnalyticsApi, { baseUrl: system.storeAnalytics, transformClient })
  })
}

const newCustomerBuys = (productIds: ReadonlyArray<number>) =>
  Schema.decodeUnknownSync(NewPurchase)({ branch_id: 1, items: productIds.map((product_id) => ({ product_id })) })

describe("npm start on a machine with nothing but Node", () => {
  it.live(
    "creates and seeds the embedded database, serves both services, and keeps every purchase",
    () =>
      Effect.gen(function*() {
        const dataDir = path.join(mkdtempSync(path.join(tmpdir(), "icash-start-")), ".data")
        yield* Effect.addFinalizer(() =>
          Effect.sync(() => rmSync(path.dirname(dataDir), { recursive: true, force: true }))
        )
        const ports = { cashRegister: yield* freePort, storeAnalytics: yield* freePort }

        // first start: the database is created and seeded from data/
        const logDir = path.join(path.dirname(dataDir), "logs")
        const first = yield* startAll(ports, { ...embeddedDatabase(dataDir), LOG_DIR: logDir, LOG_LEVEL: "Info" })
        expect(first.running.output()).toContain("Creating the embedded database")
        expect(first.running.output()).toContain(`Cash Register     http://localhost:${ports.cashRegister}`)
        // and an admin key, kept for its owner only, with an example of its use
        const keyFile = path.join(dataDir, "admin.key")
        expect(statSync(keyFile).mode & 0o777).toBe(0o600)
        expect(first.running.output()).toContain(`curl -H "Authorization: Bearer $(cat ${keyFile})"`)
        const key = yield* localAdminKey(dataDir)
        const { analytics, register } = yield* clientsOf(first, key)
        expect((yield* register.catalog.listProducts()).length).toBe(shippedProducts)
        expect((yield* analytics.analytics.uniqueCustomers()).unique_customers).toBe(shippedCustomers)
        const [kept, response] = yield* register.purchases.create({
          headers: { "idempotency-key": randomUUID() },
          payload: newCustomerBuys([1, 2]),
          withResponse: true
        })
        const traceId = response.headers["traceresponse"]!.split("-")[1]

        // Ctrl-C: a clean stop that releases the data directory
        yield* first.running.stop("SIGINT")
        expect(existsSync(path.join(dataDir, "icash.lock"))).toBe(false)
        // the request's access log line, in the cash register's own log file, leads to its trace
        const logged = readFileSync(path.join(logDir, "cash-register", "cash-register.log"), "utf8").trim().split("\n")
          .map((line) => JSON.parse(line) as { message: string; trace_id?: string })
        expect(logged.find((line) => line.trace_id === traceId)?.message).toBe("POST /purchases 201")

        // second start: the same data, nothing seeded twice, the purchase is there
        const second = yield* startAll(ports, embeddedDatabase(dataDir))
        expect(second.running.output()).not.toContain("First start")
        expect(yield* localAdminKey(dataDir)).toBe(key)
        expect(yield* register.purchases.get({ path: { id: kept.id } })).toEqual(kept)
        expect((yield* analytics.analytics.uniqueCustomers()).unique_customers).toBe(shippedCustomers + 1)
        const acknowledged = yield* register.purchases.create({
          headers: { "idempotency-key": randomUUID() },
          payload: newCustomerBuys([3])
        })

        // kill -9 right after the acknowledgement: the purchase survives the crash
        yield* second.running.stop("SIGKILL")
        yield* startAll(ports, embeddedDatabase(dataDir))
        expect(yield* register.purchases.get({ path: { id: acknowledged.id } })).toEqual(acknowledged)
        expect((yield* analytics.analytics.uniqueCustomers()).unique_customers).toBe(shippedCustomers + 2)
      }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer)),
    { timeout: 240_000 }
  )
})
