import { FetchHttpClient, HttpApiClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, layer } from "@effect/vitest"
import { withApiKey } from "@icash/auth/testing"
import { CashRegisterApi, type LoyalCustomer, NewPurchase, PurchaseId, StoreAnalyticsApi } from "@icash/domain"
import { scopedTestDatabase, type TestEngine, testEngines } from "@icash/persistence/testing"
import { Context, Effect, Layer, Schema } from "effect"
import { randomUUID } from "node:crypto"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import {
  decimal,
  expectedLoyal,
  expectedTop,
  expectedUniqueCustomers,
  makeHistory,
  priceOf,
  type Sale
} from "./Dataset.js"
import { createKey, embeddedDatabase, freePort, localAdminKey, runScript, startAll, startService } from "./Processes.js"

const history = makeHistory(300)

/** What every error of our services answers with. */
interface ErrorBody {
  readonly _tag: string
  readonly message: string
  readonly issues?: ReadonlyArray<{ readonly path: ReadonlyArray<string | number> }>
}

/** Both services, seeded from iCash files, as an operator runs them on this engine. */
class System extends Context.Tag("e2e/System")<System, {
  readonly cashRegister: string
  readonly storeAnalytics: string
  /** An admin API key: made with `npm run keys` on the server, the one `npm start` made when embedded. */
  readonly key: string
}>() {}

const writeHistoryFiles = () => {
  const dir = mkdtempSync(path.join(tmpdir(), "icash-e2e-"))
  const products = path.join(dir, "products.csv")
  const purchases = path.join(dir, "purchases.csv")
  // as the chain hands them over: a byte-order mark and CRLF line ends
  writeFileSync(products, "\uFEFF" + history.productsCsv.replaceAll("\n", "\r\n"))
  writeFileSync(purchases, "\uFEFF" + history.purchasesCsv.replaceAll("\n", "\r\n"))
  return { dir, args: ["--products", products, "--purchases", purchases] }
}

/** PostgreSQL: each service in a process of its own, sharing the server's database. */
const onPostgres = Effect.gen(function*() {
  const database = yield* scopedTestDatabase
  const env = { DATABASE_URL: database.url }
  const files = writeHistoryFiles()
  yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(files.dir, { recursive: true, force: true })))
  yield* runScript("packages/seed/src/main.ts", files.args, env)
  const [crPort, saPort] = [yield* freePort, yield* freePort]
  const [cashRegister, storeAnalytics] = yield* Effect.all([
    startService("packages/cash-register/src/main.ts", crPort, { ...env, CASH_REGISTER_PORT: String(crPort) }),
    startService("packages/store-analytics/src/main.ts", saPort, { ...env, STORE_ANALYTICS_PORT: String(saPort) })
  ], { concurrency: 2 })
  return { cashRegister, storeAnalytics, key: yield* createKey(env, "--role", "admin") }
})

/** Embedded: the seed, then `npm start` serving both services from one process on the same data directory. */
const onPGlite = Effect.gen(function*() {
  const files = writeHistoryFiles()
  const dataDir = path.join(files.dir, "data")
  yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(files.dir, { recursive: true, force: true })))
  yield* runScript("packages/seed/src/main.ts", files.args, embeddedDatabase(dataDir))
  const { cashRegister, storeAnalytics } = yield* startAll(
    { cashRegister: yield* freePort, storeAnalytics: yield* freePort },
    embeddedDatabase(dataDir)
  )
  return { cashRegister, storeAnalytics, key: yield* localAdminKey(dataDir) }
})

/** The system, and an HttpClient that sends its admin key. */
const systemLive = (engine: TestEngine["name"]) =>
  withApiKey(Effect.map(System, (system) => system.key)).pipe(
    Layer.provideMerge(Layer.scoped(System, engine === "PGlite" ? onPGlite : onPostgres)),
    Layer.provideMerge(Layer.mergeAll(NodeContext.layer, FetchHttpClient.layer))
  )

const clients = Effect.gen(function*() {
  const system = yield* System
  return {
    register: yield* HttpApiClient.make(CashRegisterApi, { baseUrl: system.cashRegister }),
    analytics: yield* HttpApiClient.make(StoreAnalyticsApi, { baseUrl: system.storeAnalytics })
  }
})

/** Every loyal customer, following next_cursor page by page. */
const allLoyal = (min: number, limit: number) =>
  Effect.gen(function*() {
    const { analytics } = yield* clients
    const all: Array<LoyalCustomer> = []
    let cursor: string | null = null
    do {
      const page: { customers: ReadonlyArray<LoyalCustomer>; next_cursor: string | null } = yield* analytics
        .analytics.loyalCustomers({
          urlParams: { min_purchases: min, limit, ...(cursor === null ? {} : { cursor }) }
        })
      expect(page.customers.length).toBeLessThanOrEqual(limit)
      for (const customer of page.customers) all.push(customer)
      cursor = page.next_cursor
    } while (cursor !== null)
    return all.map((c) => ({ user_id: c.user_id as string, purchase_count: c.purchase_count }))
  })

const expectAnalyticsOf = (sales: ReadonlyArray<Sale>) =>
  Effect.gen(function*() {
    const { analytics, register } = yield* clients
    const products = yield* register.catalog.listProducts()
    const idOf = (name: string) => products.find((p) => p.product_name === name)!.id as number
    expect(yield* analytics.analytics.uniqueCustomers()).toEqual({ unique_customers: expectedUniqueCustomers(sales) })
    expect(yield* allLoyal(3, 7)).toEqual(expectedLoyal(sales, 3))
    expect(yield* allLoyal(2, 1000)).toEqual(expectedLoyal(sales, 2))
    for (const limit of [1, 3, 6]) {
      const top = yield* analytics.analytics.topProducts({ urlParams: { limit } })
      const wire = top.products.map((p) => ({ ...p, revenue: p.revenue / 100 }))
      expect(wire).toEqual(expectedTop(sales, limit, idOf))
    }
  })

const layerOptions = { excludeTestServices: true, timeout: "180 seconds" } as const

for (const engine of await testEngines()) {
  layer(systemLive(engine.name), layerOptions)(`iCash end to end on ${engine.name}`, (it) => {
    it.effect("serves the seeded catalogue and history exactly", () =>
      Effect.gen(function*() {
        const { register } = yield* clients
        expect((yield* register.catalog.listBranches()).map((b) => b.code)).toEqual(["SMKT001", "SMKT002", "SMKT003"])
        const products = yield* register.catalog.listProducts()
        expect(products.map((p) => [p.product_name, p.unit_price])).toEqual(
          [["milk", 150], ["bread", 200], ["eggs", 300], ["toilet paper", 400], ["chewing gum", 10], ["mints", 20]]
        )
        yield* expectAnalyticsOf(history.sales)
      }))

    it.effect("counts each purchase the moment its POST has returned", () =>
      Effect.gen(function*() {
        const { analytics, register } = yield* clients
        const products = yield* register.catalog.listProducts()
        const idOf = (name: string) => products.find((p) => p.product_name === name)!.id
        const branches = yield* register.catalog.listBranches()
        const sales = [...history.sales]
        const regular = history.customers[0]!
        const baskets = [["chewing gum", "mints"], ["milk", "eggs", "bread"], ["toilet paper"], ["mints"]]
        for (const [i, basket] of baskets.entries()) {
          // the regular shows an upper-case card once; the others are new customers without a user_id
          const payload = Schema.decodeUnknownSync(NewPurchase)({
            branch_id: branches[i % 3]!.id,
            ...(i === 0 ? { user_id: regular.toUpperCase() } : i === 1 ? { user_id: regular } : {}),
            items: basket.map((name) => ({ product_id: idOf(name) }))
          })
          const purchase = yield* register.purchases.create({ headers: { "idempotency-key": randomUUID() }, payload })
          const total = basket.reduce((sum, name) => sum + priceOf(name), 0)
          expect(decimal(purchase.total_amount)).toBe(decimal(total))
          expect(purchase.items.map((item) => item.product_name)).toEqual(
            [...basket].sort((a, b) => idOf(a) - idOf(b))
          )
          if (i < 2) expect(purchase.user_id).toBe(regular)
          sales.push({ branch: branches[i % 3]!.code, user: purchase.user_id, items: basket })
          // no waiting: the very next read sees it
          expect((yield* analytics.analytics.uniqueCustomers()).unique_customers).toBe(expectedUniqueCustomers(sales))
          expect(yield* register.purchases.get({ path: { id: purchase.id } })).toEqual(purchase)
        }
        yield* expectAnalyticsOf(sales)
      }))

    describe("bad input", () => {
      it.effect("gets typed 4xx errors, and nothing is written", () =>
        Effect.gen(function*() {
          const { analytics, register } = yield* clients
          const before = yield* analytics.analytics.uniqueCustomers()
          const newCustomer = "0f0e0d0c-0b0a-4000-8000-000000000001"
          const create = (input: unknown) =>
            Schema.decodeUnknown(NewPurchase)(input).pipe(
              Effect.flatMap((payload) =>
                register.purchases.create({ headers: { "idempotency-key": randomUUID() }, payload })
              ),
              Effect.flip
            )

          expect(yield* create({ branch_id: 99, user_id: newCustomer, items: [{ product_id: 1 }] })).toMatchObject({
            _tag: "UnknownBranch",
            branch_id: 99
          })
          expect(yield* create({ branch_id: 1, user_id: newCustomer, items: [{ product_id: 1 }, { product_id: 999 }] }))
            .toMatchObject({ _tag: "UnknownProducts", product_ids: [999] })
          expect(yield* create({ branch_id: 1, user_id: newCustomer, items: [{ product_id: 2 }, { product_id: 2 }] }))
            .toMatchObject({ _tag: "DuplicateProducts", product_ids: [2] })
          // the contract refuses these on the client's side already: they never reach the server
          const refusedByTheClient = [
            { branch_id: 1, items: [] },
            { branch_id: 1, items: [{ product_id: 1, quantity: 2 }] },
            { branch_id: 1, user_id: "not-a-uuid", items: [{ product_id: 1 }] }
          ]
          for (const payload of refusedByTheClient) {
            expect((yield* create(payload))._tag).toBe("ParseError")
          }
          expect(yield* register.purchases.get({ path: { id: PurchaseId.make(987654) } }).pipe(Effect.flip))
            .toMatchObject({ _tag: "PurchaseNotFound" })
          expect(
            yield* analytics.analytics.loyalCustomers({ urlParams: { cursor: "not-ours", min_purchases: 3, limit: 5 } })
              .pipe(Effect.flip)
          ).toMatchObject({ _tag: "InvalidCursor" })
          expect(yield* analytics.analytics.uniqueCustomers()).toEqual(before)
        }))

      it.effect("sent raw, the same mistakes get 400 with a JSON body that says what is wrong", () =>
        Effect.gen(function*() {
          const system = yield* System
          const http = yield* HttpClient.HttpClient
          const send = (request: HttpClientRequest.HttpClientRequest) =>
            http.execute(request).pipe(
              Effect.flatMap((r) => Effect.map(r.json, (body) => ({ status: r.status, body: body as ErrorBody })))
            )
          const postRaw = (body: string) =>
            send(
              HttpClientRequest.post(`${system.cashRegister}/purchases`).pipe(
                HttpClientRequest.bodyText(body, "application/json")
              )
            )
          expect(yield* postRaw("{\"branch_id\": 1, \"items\": [")).toEqual({
            status: 400,
            body: { _tag: "MalformedRequest", message: "request body is not valid JSON" }
          })
          const wrong = yield* postRaw(
            JSON.stringify({ branch_id: "1", user_id: 5, items: [{ product_id: 1, quantity: 3 }] })
          )
          expect(wrong.status).toBe(400)
          expect(wrong.body.issues?.map((issue) => issue.path.join("."))).toEqual([
            "branch_id",
            "user_id",
            "items.0.quantity"
          ])
          for (const query of ["limit=0", "limit=1001", "limit=abc", "min_purchases=-1"]) {
            const response = yield* send(
              HttpClientRequest.get(`${system.storeAnalytics}/analytics/loyal-customers?${query}`)
            )
            expect(response.status).toBe(400)
            expect(response.body._tag).toBe("HttpApiDecodeError")
          }
          const top = yield* send(HttpClientRequest.get(`${system.storeAnalytics}/analytics/top-products?limit=x`))
          expect(top.status).toBe(400)
        }))
    })

    it.effect("continues the caller's trace across the process boundary, and names it in traceresponse", () =>
      Effect.gen(function*() {
        const { register } = yield* clients
        const { caller, response } = yield* Effect.gen(function*() {
          const caller = yield* Effect.currentSpan
          const [, response] = yield* register.catalog.listBranches({ withResponse: true })
          return { caller, response }
        }).pipe(Effect.withSpan("owner opens the branch list"))
        const [version, traceId, spanId, flags] = response.headers["traceresponse"]!.split("-")
        expect({ version, traceId, flags }).toEqual({ version: "00", traceId: caller.traceId, flags: "01" })
        expect(spanId).toMatch(/^[0-9a-f]{16}$/)
        expect(spanId).not.toBe(caller.spanId)
      }))

    it.effect("serves its docs and health on both services", () =>
      Effect.gen(function*() {
        const system = yield* System
        const http = yield* HttpClient.HttpClient
        for (const base of [system.cashRegister, system.storeAnalytics]) {
          for (const path of ["/health", "/ready", "/docs", "/openapi.json"]) {
            expect({ path, status: (yield* http.get(`${base}${path}`)).status }).toEqual({ path, status: 200 })
          }
        }
      }))
  })
}
