import { HttpApiClient, HttpClient } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { ApiKeyClientLive } from "@icash/auth/testing"
import {
  Branch,
  BranchId,
  cents,
  customerId,
  Product,
  ProductId,
  Purchase,
  PurchaseId,
  PurchaseItem,
  StoreAnalyticsApi
} from "@icash/domain"
import { InMemoryDatabaseLive } from "@icash/persistence/testing"
import { httpApiLive } from "@icash/runtime"
import { StoreAnalyticsApiLive } from "@icash/store-analytics"
import { DateTime, Effect, FastCheck as fc, Layer } from "effect"

const milk = new Product({ id: ProductId.make(1), product_name: "milk", unit_price: cents(150) })
const eggs = new Product({ id: ProductId.make(2), product_name: "eggs", unit_price: cents(300) })
const ann = customerId("11111111-1111-4111-8111-111111111111")
const bob = customerId("22222222-2222-4222-8222-222222222222")

const sale = (id: number, user_id: typeof ann, products: ReadonlyArray<Product>) =>
  new Purchase({
    id: PurchaseId.make(id),
    branch_id: BranchId.make(1),
    user_id,
    timestamp: DateTime.unsafeMake(0),
    total_amount: cents(products.reduce((sum, p) => sum + p.unit_price, 0)),
    items: products.map((p) =>
      new PurchaseItem({ product_id: p.id, product_name: p.product_name, quantity: 1, unit_price: p.unit_price })
    )
  })

// The real HTTP stack on a random port, over in-memory purchases; the client sends an admin key (no rate limit).
const TestServerLive = ApiKeyClientLive().pipe(
  Layer.provideMerge(httpApiLive(StoreAnalyticsApiLive)),
  Layer.provideMerge(InMemoryDatabaseLive({
    branches: [new Branch({ id: BranchId.make(1), code: "SMKT001", name: "Main street" })],
    products: [milk, eggs],
    purchases: [sale(1, ann, [milk, eggs]), sale(2, ann, [milk]), sale(3, ann, [eggs]), sale(4, bob, [milk])]
  })),
  Layer.provideMerge(NodeHttpServer.layerTest)
)

const getJson = (path: string) =>
  Effect.flatMap(HttpClient.HttpClient, (client) => client.get(path)).pipe(
    Effect.flatMap((response) => Effect.map(response.json, (json) => ({ status: response.status, json })))
  )

layer(TestServerLive)("store analytics over HTTP", (it) => {
  it.effect("answers each figure through the typed client", () =>
    Effect.gen(function*() {
      const client = yield* HttpApiClient.make(StoreAnalyticsApi)
      expect(yield* client.analytics.uniqueCustomers()).toEqual({ unique_customers: 2 })
      const loyal = yield* client.analytics.loyalCustomers({ urlParams: { min_purchases: 3, limit: 10 } })
      expect(loyal).toMatchObject({
        min_purchases: 3,
        customers: [{ user_id: ann, purchase_count: 3 }],
        next_cursor: null
      })
      expect(yield* getJson("/analytics/top-products?limit=1")).toEqual({
        status: 200,
        json: {
          limit: 1,
          products: [{ product_id: 1, product_name: "milk", units_sold: 3, revenue: 4.5, rank: 1 }]
        }
      })
    }))

  it.effect("pages with the cursor it issued, and refuses any other with a 400", () =>
    Effect.gen(function*() {
      const first = yield* getJson("/analytics/loyal-customers?min_purchases=1&limit=1")
      const { next_cursor } = first.json as { next_cursor: string }
      const second = yield* getJson(`/analytics/loyal-customers?min_purchases=1&limit=1&cursor=${next_cursor}`)
      expect(second.json).toEqual({
        min_purchases: 1,
        customers: [{ user_id: bob, purchase_count: 1 }],
        next_cursor: null
      })
      expect(yield* getJson("/analytics/loyal-customers?cursor=forged")).toEqual({
        status: 400,
        json: { _tag: "InvalidCursor", message: "cursor was not issued by this server" }
      })
    }))

  it.effect("answers a bad query parameter with a 400 that names it", () =>
    Effect.gen(function*() {
      for (const query of ["limit=0", "limit=1001", "limit=two", "limit=1.5"]) {
        const { json, status } = yield* getJson(`/analytics/top-products?${query}`)
        expect(status).toBe(400)
        expect(json).toMatchObject({ _tag: "HttpApiDecodeError", issues: [{ path: ["limit"] }] })
        expect((json as { issues: Array<{ message: string }> }).issues[0]!.message).toBe(
          "limit must be a whole number from 1 to 1000"
        )
      }
      expect((yield* getJson("/analytics/loyal-customers?min_purchases=0")).status).toBe(400)
      expect((yield* getJson("/openapi.json")).status).toBe(200)
    }))

  it.effect("answers sales per bucket of a time zone, and refuses a bad range or zone with a 400", () =>
    Effect.gen(function*() {
      const client = yield* HttpApiClient.make(StoreAnalyticsApi)
      const sales = yield* client.analytics.sales({
        urlParams: {
          from: DateTime.unsafeMake("1969-12-31T22:00:00Z"),
          to: DateTime.unsafeMake("1970-01-01T02:00:00Z"),
          bucket: "hour",
          tz: "Europe/Paris"
        }
      })
      expect(sales.buckets.map((b) => [b.local_start, b.purchases, b.revenue])).toEqual([
        ["1969-12-31T23:00:00", 0, 0],
        ["1970-01-01T00:00:00", 0, 0],
        ["1970-01-01T01:00:00", 4, 1050],
        ["1970-01-01T02:00:00", 0, 0]
      ])
      // a range without a sale still says when the latest one was, on the wire as through the client
      const later = { from: "1971-01-01T00:00:00Z", to: "1971-01-02T00:00:00Z" }
      const empty = yield* getJson(`/analytics/sales?bucket=day&from=${later.from}&to=${later.to}`)
      expect(empty.json).toMatchObject({ last_sale_at: "1970-01-01T00:00:00.000Z", buckets: [{ purchases: 0 }] })
      const typed = yield* client.analytics.sales({
        urlParams: {
          from: DateTime.unsafeMake(later.from),
          to: DateTime.unsafeMake(later.to),
          bucket: "day",
          tz: "UTC"
        }
      })
      expect(typed.last_sale_at).toEqual(DateTime.unsafeMake(0))
      const refusals = [
        ["from=1970-01-02T00:00:00Z&to=1970-01-01T00:00:00Z", "InvalidSalesQuery", "from must be before to"],
        ["from=1970-01-01T00:00:00Z&to=1970-03-01T00:00:00Z", "InvalidSalesQuery", "at most 744 hour buckets"],
        ["tz=Mars/Olympus", "HttpApiDecodeError", "tz must be an IANA time zone name"],
        ["bucket=week", "HttpApiDecodeError", ""],
        ["from=yesterday", "HttpApiDecodeError", ""]
      ] as const
      for (const [query, tag, message] of refusals) {
        const { json, status } = yield* getJson(`/analytics/sales?${query}`)
        expect(status, query).toBe(400)
        expect(json, query).toMatchObject({ _tag: tag })
        expect(JSON.stringify(json), query).toContain(message)
      }
    }))

  it.effect("answers the sales of a branch, and refuses a branch that does not exist with a 422", () =>
    Effect.gen(function*() {
      const client = yield* HttpApiClient.make(StoreAnalyticsApi)
      const range = {
        from: DateTime.unsafeMake("1970-01-01T00:00:00Z"),
        to: DateTime.unsafeMake("1970-01-02T00:00:00Z"),
        tz: "UTC"
      }
      const main = yield* client.analytics.sales({
        urlParams: { ...range, bucket: "day", branch_id: BranchId.make(1) }
      })
      expect(main.buckets.map((b) => [b.purchases, b.revenue])).toEqual([[4, 1050]])
      const { json, status } = yield* getJson("/analytics/sales?bucket=day&branch_id=2")
      expect(status).toBe(422)
      expect(json).toEqual({ _tag: "UnknownBranch", branch_id: 2, message: "branch 2 does not exist" })
      const refused = yield* Effect.flip(
        client.analytics.sales({ urlParams: { ...range, bucket: "day", branch_id: BranchId.make(2) } })
      )
      expect(refused).toMatchObject({ _tag: "UnknownBranch", branch_id: 2 })
    }))

  it.effect("answers any query string without a 5xx", () =>
    Effect.gen(function*() {
      const value = fc.oneof(
        fc.string(),
        fc.integer().map(String),
        fc.double().map(String),
        fc.date().map((d) => d.toISOString())
      )
      const query = fc.dictionary(
        fc.constantFrom("limit", "min_purchases", "cursor", "from", "to", "bucket", "tz", "branch_id", "other"),
        value
      )
      const paths = [
        "/analytics/customers",
        "/analytics/loyal-customers",
        "/analytics/top-products",
        "/analytics/sales"
      ]
      for (const [path, params] of fc.sample(fc.tuple(fc.constantFrom(...paths), query), { numRuns: 300, seed: 5 })) {
        const url = `${path}?${new URLSearchParams(params).toString()}`
        const { json, status } = yield* getJson(url)
        expect(status, url).toBeLessThan(500)
        if (status >= 400) expect(json, url).toHaveProperty("_tag")
      }
    }))
})
