import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { HttpClient } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { expect, it } from "@effect/vitest"
import { ApiKeyClientLive } from "@icash/auth/testing"
import { BranchId, cents, customerId, Product, ProductId, Purchase, PurchaseId, PurchaseItem } from "@icash/domain"
import { InMemoryDatabaseLive } from "@icash/persistence/testing"
import { httpApiLive } from "@icash/runtime"
import { StoreAnalyticsApiLive } from "@icash/store-analytics"
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { DateTime, Effect, Layer, Logger, LogLevel } from "effect"

const milk = new Product({ id: ProductId.make(1), product_name: "milk", unit_price: cents(150) })
const customers = Array.from({ length: 4 }, (_, i) => customerId(`${i + 1}1111111-1111-4111-8111-111111111111`))
// every customer loyal: three purchases each
const purchases = customers.flatMap((user_id, c) =>
  [0, 1, 2].map((k) =>
    new Purchase({
      id: PurchaseId.make(c * 3 + k + 1),
      branch_id: BranchId.make(1),
      user_id,
      timestamp: DateTime.unsafeMake(0),
      total_amount: cents(150),
      items: [new PurchaseItem({ product_id: milk.id, product_name: "milk", quantity: 1, unit_price: cents(150) })]
    })
  )
)

it.live("no customer id reaches a span attribute or a log line above debug, though the answers carry them", () => {
  const exporter = new InMemorySpanExporter()
  const logged: Array<string> = []
  const logs = Logger.replace(
    Logger.defaultLogger,
    Logger.make(({ annotations, logLevel, message }) => {
      if (LogLevel.greaterThanEqual(logLevel, LogLevel.Info)) logged.push(JSON.stringify({ message, annotations }))
    })
  )
  const server = ApiKeyClientLive().pipe(
    Layer.provideMerge(httpApiLive(StoreAnalyticsApiLive)),
    Layer.provideMerge(InMemoryDatabaseLive({ products: [milk], purchases })),
    Layer.provideMerge(NodeHttpServer.layerTest),
    Layer.provideMerge(NodeSdk.layer(() => ({
      resource: { serviceName: "store-analytics" },
      spanProcessor: new SimpleSpanProcessor(exporter)
    }))),
    Layer.provide(logs)
  )
  return Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const page = (query: string) =>
      Effect.flatMap(client.get(`/analytics/loyal-customers?${query}`), (response) => response.json) as Effect.Effect<
        { customers: ReadonlyArray<{ user_id: string }>; next_cursor: string | null }
      >
    const first = yield* page("limit=2")
    const second = yield* page(`limit=2&cursor=${first.next_cursor}`)
    // a cursor that is not ours still names nobody in the logs
    yield* page(`limit=2&cursor=${Buffer.from(JSON.stringify([3, 3, customers[0]])).toString("base64url")}x`)
    const shown = [...first.customers, ...second.customers].map((c) => c.user_id)
    expect(shown.sort()).toEqual([...customers].sort())

    // the service's spans (this test's own client spans show the URLs it asked for)
    const attributes = JSON.stringify(
      exporter.getFinishedSpans().filter((span) => !span.name.startsWith("http.client")).map((span) => span.attributes)
    )
    expect(attributes).toContain("/analytics/loyal-customers")
    expect(logged.join("\n")).toContain("/analytics/loyal-customers")
    const cursor = first.next_cursor!
    for (const text of [attributes, logged.join("\n")]) {
      for (const id of customers) expect(text).not.toContain(id)
      expect(text).not.toContain(cursor)
    }
  }).pipe(Effect.scoped, Effect.provide(server))
})
