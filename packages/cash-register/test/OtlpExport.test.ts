import { HttpApiClient } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { ApiKeyClientLive } from "@icash/auth/testing"
import { CashRegisterApiLive } from "@icash/cash-register"
import { CashRegisterApi, NewPurchase } from "@icash/domain"
import { RepositoriesLive } from "@icash/persistence"
import { PGliteTestDatabaseLive } from "@icash/persistence/testing"
import { httpApiLive, TelemetryLive } from "@icash/runtime"
import { ConfigProvider, Effect, Layer, Schema } from "effect"
import { createServer } from "node:http"

interface Received {
  readonly path: string
  readonly contentType: string
  readonly body: Buffer
}

/** A small OTLP/HTTP receiver: it keeps whatever is posted to it. */
const receiver = Effect.acquireRelease(
  Effect.async<{ readonly url: string; readonly received: Array<Received>; readonly close: () => void }>((resume) => {
    const received: Array<Received> = []
    const server = createServer((request, response) => {
      const chunks: Array<Buffer> = []
      request.on("data", (chunk: Buffer) => chunks.push(chunk))
      request.on("end", () => {
        received.push({
          path: request.url ?? "",
          contentType: request.headers["content-type"] ?? "",
          body: Buffer.concat(chunks)
        })
        response.writeHead(200, { "content-type": "application/json" }).end("{}")
      })
    })
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      resume(Effect.succeed({ url: `http://127.0.0.1:${port}`, received, close: () => server.close() }))
    })
  }),
  (r) => Effect.sync(r.close)
)

/** Rings up one purchase on a cash register exporting with these OTEL_* settings; the exporters flush on close. */
const purchaseWithTelemetry = (env: Record<string, string>) =>
  Effect.gen(function*() {
    const server = ApiKeyClientLive().pipe(
      Layer.provideMerge(httpApiLive(CashRegisterApiLive)),
      Layer.provideMerge(RepositoriesLive),
      Layer.provideMerge(NodeHttpServer.layerTest),
      Layer.provideMerge(PGliteTestDatabaseLive),
      Layer.provideMerge(TelemetryLive("cash-register")),
      Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))))
    )
    yield* Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      yield* sql`INSERT INTO branches (code, name) VALUES ('SMKT001', 'Centro')`
      yield* sql`INSERT INTO products (product_name, unit_price) VALUES ('milk', 1.5)`
      const client = yield* HttpApiClient.make(CashRegisterApi)
      yield* client.purchases.create({
        headers: {},
        payload: Schema.decodeUnknownSync(NewPurchase)({ branch_id: 1, items: [{ product_id: 1 }] })
      })
      // The server ends the request's span just after the client has its answer; closing the
      // layers at once can flush the exporters before that span has ended (seen once in a CI run
      // of the whole suite on a loaded machine).
      yield* Effect.sleep("200 millis")
    }).pipe(Effect.provide(server))
  })

interface OtlpJsonSpans {
  resourceSpans: Array<{
    resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> }
    scopeSpans: Array<{ spans: Array<{ name: string; traceId: string; links?: Array<{ traceId: string }> }> }>
  }>
}

describe("OTLP/HTTP export", () => {
  it.scopedLive("delivers the spans and metrics of a purchase as http/json", () =>
    Effect.gen(function*() {
      const otlp = yield* receiver
      yield* purchaseWithTelemetry({
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_RESOURCE_ATTRIBUTES: "deployment.environment=test"
      })
      const traces = otlp.received.filter((r) => r.path === "/v1/traces")
      expect(traces.length).toBeGreaterThan(0)
      expect(traces[0]!.contentType).toContain("application/json")
      const batches = traces.map((r) => JSON.parse(r.body.toString()) as OtlpJsonSpans)
      const resource = Object.fromEntries(
        batches[0]!.resourceSpans[0]!.resource.attributes.map((a) => [a.key, a.value.stringValue])
      )
      expect(resource).toMatchObject({ "service.name": "cash-register", "deployment.environment": "test" })
      const spans = batches.flatMap((b) => b.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)))
      const server = spans.find((s) => s.name === "http.server POST")!
      const trace = spans.filter((s) => s.traceId === server.traceId).map((s) => s.name)
      const steps = ["http.client POST", "Purchases.create", "Purchases.validate", "Purchases.store"]
      for (const name of steps) {
        expect(trace).toContain(name)
      }
      // the statement that stored it belongs to its group's trace, linked to the purchase's
      const group = spans.find((s) => s.name === "GroupCommit.write")!
      expect(group.links?.some((l) => l.traceId === server.traceId)).toBe(true)
      expect(spans.filter((s) => s.traceId === group.traceId).map((s) => s.name)).toContain("sql.execute")
      const metrics = otlp.received.filter((r) => r.path === "/v1/metrics").map((r) => r.body.toString()).join()
      expect(metrics).toContain("icash.purchases")
      expect(metrics).toContain("http.server.request.duration")
    }))

  it.scopedLive("delivers them as http/protobuf, the default protocol", () =>
    Effect.gen(function*() {
      const otlp = yield* receiver
      yield* purchaseWithTelemetry({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${otlp.url}/v1/traces` })
      const traces = otlp.received.filter((r) => r.path === "/v1/traces")
      expect(traces.length).toBeGreaterThan(0)
      expect(traces[0]!.contentType).toBe("application/x-protobuf")
      expect(Buffer.concat(traces.map((r) => r.body)).includes("Purchases.store")).toBe(true)
      // only the traces endpoint was set: no metrics are sent anywhere
      expect(otlp.received.filter((r) => r.path !== "/v1/traces")).toEqual([])
    }))

  it.scopedLive("sends no spans with OTEL_TRACES_SAMPLER=always_off, and nothing at all with OTEL_SDK_DISABLED", () =>
    Effect.gen(function*() {
      const otlp = yield* receiver
      yield* purchaseWithTelemetry({
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_TRACES_SAMPLER: "always_off"
      })
      expect(otlp.received.filter((r) => r.path === "/v1/traces")).toEqual([])
      expect(otlp.received.some((r) => r.path === "/v1/metrics")).toBe(true)

      const disabled = yield* receiver
      yield* purchaseWithTelemetry({ OTEL_EXPORTER_OTLP_ENDPOINT: disabled.url, OTEL_SDK_DISABLED: "true" })
      expect(disabled.received).toEqual([])
    }))
})
