import * as Sse from "@effect/experimental/Sse"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { SqlClient } from "@effect/sql"
import { expect, layer } from "@effect/vitest"
import { ApiKeyClientLive } from "@icash/auth/testing"
import { BranchId, customerId, LiveFigures, ProductId } from "@icash/domain"
import { PurchasesRepo, RepositoriesLive } from "@icash/persistence"
import { testEngines } from "@icash/persistence/testing"
import { httpApiLive } from "@icash/runtime"
import { StoreAnalyticsApiLive } from "@icash/store-analytics"
import { Chunk, Effect, Layer, Queue, Schema, Stream } from "effect"

const ann = customerId("11111111-1111-4111-8111-111111111111")

const decodeFigures = Schema.decodeSync(Schema.parseJson(LiveFigures))

/** Opens `/analytics/stream` and hands its events, as they arrive, to a queue. */
const openStream = (headers: Record<string, string> = {}) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const response = yield* client.execute(HttpClientRequest.get("/analytics/stream", { headers }))
    expect(response.status).toBe(200)
    expect(response.headers["content-type"]).toBe("text/event-stream")
    const events = yield* Queue.unbounded<Sse.Event>()
    const parser = Sse.makeParser((event) => {
      if (event._tag === "Event") Queue.unsafeOffer(events, event)
    })
    yield* response.stream.pipe(
      Stream.decodeText(),
      Stream.runForEach((text) => Effect.sync(() => parser.feed(text))),
      Effect.forkScoped
    )
    return events
  })

const nextFigures = (events: Queue.Queue<Sse.Event>) =>
  Effect.map(Queue.take(events), (event) => {
    const figures = decodeFigures(event.data)
    expect(event.id).toBe(String(figures.version))
    return figures
  }).pipe(Effect.timeout("5 seconds"))

const buy = Effect.flatMap(
  PurchasesRepo,
  (repo) => repo.insertGroup([{ branch_id: BranchId.make(1), user_id: ann, product_ids: [ProductId.make(1)] }])
)

for (const engine of await testEngines()) {
  const TestServerLive = ApiKeyClientLive({ role: "analyst" }).pipe(
    Layer.provideMerge(httpApiLive(StoreAnalyticsApiLive)),
    Layer.provideMerge(RepositoriesLive),
    Layer.provideMerge(engine.database),
    Layer.provideMerge(NodeHttpServer.layerTest)
  )

  layer(TestServerLive, { excludeTestServices: true, timeout: "60 seconds" })(
    `the live figures on ${engine.name}`,
    (it) => {
      it.scoped("arrive on connect, then after each commit, and not twice to a client that resumes", () =>
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          yield* sql`INSERT INTO branches (code, name) VALUES ('SMKT001', 'Centro')`
          yield* sql`INSERT INTO products (product_name, unit_price) VALUES ('milk', 1.5)`

          const events = yield* openStream()
          const first = yield* nextFigures(events)
          expect(first).toMatchObject({ purchases: 0, unique_customers: 0, revenue: 0 })

          yield* buy
          const second = yield* nextFigures(events)
          expect(second.version).toBeGreaterThan(first.version)
          expect(second).toMatchObject({ purchases: 1, unique_customers: 1, loyal_customers: 0, revenue: 150 })
          expect(second.top_products.products).toMatchObject([{ product_name: "milk", units_sold: 1, rank: 1 }])

          // a burst of purchases: the stream catches up with all of them, in a few events at most
          yield* Effect.all([buy, buy, buy, buy], { concurrency: "unbounded" })
          let latest = second
          while (latest.purchases < 5) latest = yield* nextFigures(events)
          expect(latest).toMatchObject({ purchases: 5, unique_customers: 1, loyal_customers: 1, revenue: 750 })

          // a client resuming at the current version is not sent it again, only what follows
          const resumed = yield* openStream({ "last-event-id": String(latest.version) })
          yield* Effect.sleep("300 millis")
          expect(Chunk.size(yield* Queue.takeAll(resumed))).toBe(0)
          yield* buy
          expect((yield* nextFigures(resumed)).purchases).toBe(6)
        }))
    }
  )
}
