import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { HttpClient } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { ApiKeyClientLive } from "@icash/auth/testing"
import { RepositoriesLive } from "@icash/persistence"
import { PGliteTestDatabaseLive } from "@icash/persistence/testing"
import { httpApiLive } from "@icash/runtime"
import { StoreAnalyticsApiLive } from "@icash/store-analytics"
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { Effect, Layer } from "effect"

const exporter = new InMemorySpanExporter()

// Store Analytics on a random port over an embedded database, traced into memory.
const TracedServerLive = ApiKeyClientLive().pipe(
  Layer.provideMerge(httpApiLive(StoreAnalyticsApiLive)),
  Layer.provideMerge(RepositoriesLive),
  Layer.provideMerge(NodeHttpServer.layerTest),
  Layer.provideMerge(PGliteTestDatabaseLive),
  Layer.provideMerge(NodeSdk.layer(() => ({
    resource: { serviceName: "store-analytics" },
    spanProcessor: new SimpleSpanProcessor(exporter)
  })))
)

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId
const idOf = (span: ReadableSpan) => span.spanContext().spanId

layer(TracedServerLive, { excludeTestServices: true, timeout: "60 seconds" })("tracing analytics", (it) => {
  for (const [path, query] of [["/analytics/top-products", "topProducts"], ["/analytics/sales", "sales"]] as const) {
    it.effect(`GET ${path}: the server's span, one span of the query, and its statement's`, () =>
      Effect.gen(function*() {
        exporter.reset()
        const response = yield* HttpClient.get(`${path}?bucket=day&tz=Europe%2FParis`)
        expect(response.status).toBe(200)
        // the server ends its span once the answer is written
        yield* Effect.sleep("100 millis")
        const spans = exporter.getFinishedSpans().filter((span) => !span.name.startsWith("http.client"))
        const request = spans.find((span) => span.name === "http.server GET")!
        const ofQuery = spans.filter((span) => span.name === `Analytics.${query}`)
        expect(ofQuery).toHaveLength(1)
        expect(parentOf(ofQuery[0]!)).toBe(idOf(request))
        const statements = spans.filter((span) => parentOf(span) === idOf(ofQuery[0]!))
        expect(statements.map((span) => span.name)).toEqual(["sql.execute"])
        expect(String(statements[0]!.attributes["db.query.text"])).toContain("SELECT")
        if (query === "sales") expect(ofQuery[0]!.attributes).toMatchObject({ bucket: "day", tz: "Europe/Paris" })
      }))
  }
})
