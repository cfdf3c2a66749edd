import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { HttpApiClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { SqlClient } from "@effect/sql"
import { expect, layer } from "@effect/vitest"
import { ApiKeyClientLive } from "@icash/auth/testing"
import { CashRegisterApiLive } from "@icash/cash-register"
import { CashRegisterApi, NewPurchase } from "@icash/domain"
import { RepositoriesLive } from "@icash/persistence"
import { PGliteTestDatabaseLive } from "@icash/persistence/testing"
import { httpApiLive } from "@icash/runtime"
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base"
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { Effect, Layer, Schema } from "effect"

const exporter = new InMemorySpanExporter()

// The cash register on a random port over an embedded database, traced into memory.
const TracedServerLive = ApiKeyClientLive().pipe(
  Layer.provideMerge(httpApiLive(CashRegisterApiLive)),
  Layer.provideMerge(RepositoriesLive),
  Layer.provideMerge(NodeHttpServer.layerTest),
  Layer.provideMerge(PGliteTestDatabaseLive),
  Layer.provideMerge(NodeSdk.layer(() => ({
    resource: { serviceName: "cash-register" },
    spanProcessor: new SimpleSpanProcessor(exporter)
  })))
)

const customer = "6f1c2b9e-3d4a-4b5c-8d6e-7f8091a2b3c4"

const traceOf = (traceId: string) => exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId)
const named = (spans: ReadonlyArray<ReadableSpan>, name: string) => {
  const found = spans.filter((s) => s.name === name)
  expect(found.map((s) => s.name), `span ${name}`).toEqual([name])
  return found[0]!
}
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId

layer(TracedServerLive, { excludeTestServices: true, timeout: "60 seconds" })("tracing a purchase", (it) => {
  it.effect("gives one trace from the client's call through the domain steps down to each SQL statement", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      yield* sql`INSERT INTO branches (code, name) VALUES ('SMKT001', 'Centro')`
      yield* sql`INSERT INTO products (product_name, unit_price) VALUES ('milk', 1.5), ('eggs', 3)`
      exporter.reset()

      const client = yield* HttpApiClient.make(CashRegisterApi)
      const payload = Schema.decodeUnknownSync(NewPurchase)({
        branch_id: 1,
        user_id: customer,
        items: [{ product_id: 1 }, { product_id: 2 }]
      })
      const [purchase, response] = yield* client.purchases.create({ headers: {}, payload, withResponse: true }).pipe(
        Effect.withSpan("cashier clicks Pay")
      )
      expect(purchase.total_amount).toBe(450)

      const click = named(exporter.getFinishedSpans(), "cashier clicks Pay")
      const spans = traceOf(click.spanContext().traceId)
      const clientSpan = named(spans, "http.client POST")
      const server = named(spans, "http.server POST")
      const create = named(spans, "Purchases.create")
      const validate = named(spans, "Purchases.validate")
      const store = named(spans, "Purchases.store")

      // client → server → use case → its steps, all one trace
      expect(parentOf(clientSpan)).toBe(click.spanContext().spanId)
      expect(parentOf(server)).toBe(clientSpan.spanContext().spanId)
      expect(parentOf(create)).toBe(server.spanContext().spanId)
      for (const step of [validate, store]) expect(parentOf(step)).toBe(create.spanContext().spanId)
      expect(server.attributes["http.request.method"]).toBe("POST")
      expect(server.attributes["http.route"]).toBe("/purchases")
      expect(server.attributes["http.response.status_code"]).toBe(201)
      expect(response.headers["traceresponse"]).toBe(
        `00-${server.spanContext().traceId}-${server.spanContext().spanId}-01`
      )

      // the purchase was written by its group's statement: a span of its own, linked to the purchase
      const groups = exporter.getFinishedSpans().filter((s) =>
        s.name === "GroupCommit.write" && s.links.some((l) => l.context.spanId === store.spanContext().spanId)
      )
      expect(groups).toHaveLength(1)
      const group = groups[0]!
      expect(group.attributes["icash.group_size"]).toBeGreaterThanOrEqual(1)
      // every SQL statement is a child span with its text, and no parameter is recorded
      const statements = traceOf(group.spanContext().traceId).filter((s) => s.name === "sql.execute")
      expect(statements.map((s) => parentOf(s))).toEqual([group.spanContext().spanId])
      expect(String(statements[0]!.attributes["db.query.text"])).toContain("FROM icash_store_group(")
      expect(JSON.stringify(exporter.getFinishedSpans().map((s) => s.attributes))).not.toContain(customer)
      expect(JSON.stringify(spans.map((s) => s.attributes))).not.toContain(customer)
    }))

  it.effect("marks a refused request's span as an error named after the tagged error", () =>
    Effect.gen(function*() {
      exporter.reset()
      const http = yield* HttpClient.HttpClient
      const response = yield* http.execute(
        HttpClientRequest.post("/purchases").pipe(
          HttpClientRequest.bodyText(JSON.stringify({ branch_id: 42, items: [{ product_id: 1 }] }), "application/json")
        )
      )
      expect(response.status).toBe(422)
      const traceId = response.headers["traceresponse"]!.split("-")[1]!
      const server = named(traceOf(traceId), "http.server POST")
      expect(server.status.code).toBe(2) // SpanStatusCode.ERROR
      expect(server.attributes["error.type"]).toBe("UnknownBranch")
    }))

  it.effect("records the cause of a defect on the span, and answers 500 with the trace named", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      yield* sql`ALTER TABLE purchase_items RENAME TO purchase_items_gone`
      exporter.reset()
      const http = yield* HttpClient.HttpClient
      const response = yield* http.execute(
        HttpClientRequest.post("/purchases").pipe(
          HttpClientRequest.bodyText(JSON.stringify({ branch_id: 1, items: [{ product_id: 1 }] }), "application/json")
        )
      )
      yield* sql`ALTER TABLE purchase_items_gone RENAME TO purchase_items`
      expect(response.status).toBe(500)
      const traceId = response.headers["traceresponse"]!.split("-")[1]!
      expect(yield* response.json).toEqual({
        _tag: "InternalError",
        message: "something went wrong on our side; the trace id names the request",
        trace_id: traceId
      })
      const server = named(traceOf(traceId), "http.server POST")
      expect(server.status.code).toBe(2)
      expect(server.attributes["error.type"]).toBe("Defect")
      const exception = server.events.find((e) => e.name === "exception")
      const recorded = exception?.attributes ?? {}
      expect(`${recorded["exception.message"]} ${recorded["exception.stacktrace"]}`).toContain("purchase_items")
    }))
})
