import { HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { ApiKeyClientLive } from "@icash/auth/testing"
import { CashRegisterApiLive } from "@icash/cash-register"
import { DatabaseLive, RepositoriesLive } from "@icash/persistence"
import { scopedTestDatabase, testEngines, testServerUrl } from "@icash/persistence/testing"
import { httpApiLive } from "@icash/runtime"
import { ConfigProvider, Context, Duration, Effect, Layer, Logger, LogLevel, Schedule } from "effect"
import { randomUUID } from "node:crypto"
import * as net from "node:net"
import pg from "pg"

/**
 * A TCP proxy in front of PostgreSQL: the service reaches its database only through it, so the
 * test can cut the database off (every connection dropped, new ones refused) and bring it back.
 */
const tcpProxy = (target: URL) =>
  Effect.acquireRelease(
    Effect.async<{ port: number; cut: () => Promise<void>; restore: () => Promise<void>; close: () => void }>(
      (resume) => {
        const sockets = new Set<net.Socket>()
        const server = net.createServer((client) => {
          const upstream = net.connect(Number(target.port || 5432), target.hostname)
          for (const socket of [client, upstream]) {
            sockets.add(socket)
            socket.on("close", () => sockets.delete(socket))
            socket.on("error", () => socket.destroy())
          }
          client.pipe(upstream).pipe(client)
          client.on("close", () => upstream.destroy())
          upstream.on("close", () => client.destroy())
        })
        server.listen(0, "127.0.0.1", () => {
          const port = (server.address() as net.AddressInfo).port
          resume(Effect.succeed({
            port,
            cut: () =>
              new Promise<void>((resolve) => {
                server.close(() => resolve())
                for (const socket of sockets) socket.destroy()
              }),
            restore: () => new Promise<void>((resolve) => server.listen(port, "127.0.0.1", () => resolve())),
            close: () => {
              server.close()
              for (const socket of sockets) socket.destroy()
            }
          }))
        })
      }
    ),
    (proxy) => Effect.sync(proxy.close)
  )

class Fixture extends Context.Tag("Fixture")<Fixture, {
  readonly admin: pg.Client
  readonly database: string
  readonly proxy: Effect.Effect.Success<ReturnType<typeof tcpProxy>>
}>() {}

const FixtureLive = Layer.unwrapScoped(Effect.gen(function*() {
  const { name } = yield* scopedTestDatabase
  const proxy = yield* tcpProxy(testServerUrl())
  const admin = yield* Effect.acquireRelease(
    Effect.promise(async () => {
      const url = new URL(testServerUrl().href)
      url.pathname = `/${name}`
      const client = new pg.Client({ connectionString: url.href })
      await client.connect()
      return client
    }),
    (client) => Effect.promise(() => client.end())
  )
  const viaProxy = new URL(testServerUrl().href)
  viaProxy.host = `127.0.0.1:${proxy.port}`
  viaProxy.pathname = `/${name}`
  // The real Cash Register as it starts in production (migrations, pool, listener), through the proxy.
  const server = ApiKeyClientLive().pipe(
    Layer.provideMerge(httpApiLive(CashRegisterApiLive)),
    Layer.provideMerge(RepositoriesLive),
    Layer.provideMerge(NodeHttpServer.layerTest),
    Layer.provide(DatabaseLive),
    Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["DATABASE_URL", viaProxy.href]])))),
    Layer.provide(Logger.minimumLogLevel(LogLevel.Error))
  )
  return Layer.merge(server, Layer.succeed(Fixture, { admin, database: name, proxy }))
}))

const post = (body: unknown, key: string) =>
  Effect.flatMap(HttpClient.HttpClient, (client) =>
    client.execute(
      HttpClientRequest.post("/purchases").pipe(
        HttpClientRequest.setHeader("idempotency-key", key),
        HttpClientRequest.bodyUnsafeJson(body)
      )
    )).pipe(
      Effect.flatMap((response) =>
        Effect.map(
          response.json,
          (json) => ({ status: response.status, retryAfter: response.headers["retry-after"], json })
        )
      ),
      Effect.timeout("10 seconds")
    )

const statusOf = (path: string) =>
  Effect.flatMap(HttpClient.HttpClient, (client) => client.get(path)).pipe(Effect.map((response) => response.status))

/** A till: retries its purchase with the same key until it is acknowledged; fails on any other answer. */
const ringUp = (body: unknown) =>
  Effect.gen(function*() {
    const key = randomUUID()
    for (let attempt = 1;; attempt++) {
      const answer = yield* Effect.either(post(body, key))
      if (answer._tag === "Right") {
        if (answer.right.status === 201) return { key, id: (answer.right.json as { id: number }).id }
        if (answer.right.status !== 503 && answer.right.status !== 409) {
          return yield* Effect.dieMessage(`unexpected ${answer.right.status}: ${JSON.stringify(answer.right.json)}`)
        }
        expect(answer.right.retryAfter).toBeDefined()
      }
      if (attempt > 100) return yield* Effect.dieMessage("never acknowledged")
      yield* Effect.sleep("100 millis")
    }
  })

const engines = (await testEngines()).filter((engine) => engine.name === "PostgreSQL")

for (const _ of engines) {
  layer(FixtureLive, { excludeTestServices: true, timeout: "120 seconds" })("faults on PostgreSQL", (it) => {
    it.effect("connections killed and the database cut off: retried purchases are stored exactly once", () =>
      Effect.gen(function*() {
        const { admin, database, proxy } = yield* Fixture
        yield* Effect.promise(() =>
          admin.query(`INSERT INTO branches (code, name) VALUES ('SMKT001', 'Centro');
                       INSERT INTO products (product_name, unit_price) VALUES ('milk', 1.5), ('bread', 2), ('eggs', 3)`)
        )
        const basket = (i: number) => ({
          branch_id: 1,
          user_id: `00000000-0000-4000-8000-${String(i % 7).padStart(12, "0")}`,
          items: [{ product_id: 1 + (i % 3) }, ...(i % 2 === 0 ? [{ product_id: 1 + ((i + 1) % 3) }] : [])]
        })
        const tills = Effect.all(
          Array.from(
            { length: 8 },
            (_, till) => Effect.forEach(Array.from({ length: 12 }, (_, n) => till * 100 + n), (i) => ringUp(basket(i)))
          ),
          { concurrency: "unbounded" }
        )
        const killConnections = Effect.promise(() =>
          admin.query(
            `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = $1 AND pid <> pg_backend_pid()`,
            [database]
          )
        )
        const chaos = Effect.gen(function*() {
          yield* killConnections.pipe(
            Effect.repeat(Schedule.spaced("150 millis").pipe(Schedule.intersect(Schedule.recurs(6))))
          )
          // the database cut off: answers are 503 with Retry-After, fast, and /ready says so
          yield* Effect.promise(proxy.cut)
          const during = yield* post(basket(0), randomUUID()).pipe(Effect.timed)
          expect(during[1].status).toBe(503)
          expect(during[1].json).toMatchObject({ _tag: "ServiceUnavailable" })
          expect(during[1].retryAfter).toBe("2")
          expect(Duration.toMillis(during[0])).toBeLessThan(4000)
          expect(yield* statusOf("/ready")).toBe(503)
          yield* Effect.sleep("500 millis")
          yield* Effect.promise(proxy.restore)
        })
        const [acknowledged] = yield* Effect.all([tills, chaos], { concurrency: "unbounded" })
        const all = acknowledged.flat()

        // back by itself, without a restart
        expect(yield* statusOf("/ready")).toBe(200)
        const { rows: [stored] } = yield* Effect.promise(() =>
          admin.query<{ purchases: number; keys: number; distinct_ids: number }>(
            `SELECT (SELECT count(*) FROM purchases)::int AS purchases,
                    (SELECT count(*) FROM idempotency_keys)::int AS keys,
                    (SELECT count(DISTINCT purchase_id) FROM idempotency_keys)::int AS distinct_ids`
          )
        )
        // every acknowledged purchase once; the one posted during the cut-off was refused whole
        expect(stored).toEqual({ purchases: all.length, keys: all.length, distinct_ids: all.length })
        const { rows } = yield* Effect.promise(() =>
          admin.query<{ key: string; purchase_id: string }>("SELECT key, purchase_id FROM idempotency_keys")
        )
        const byKey = new Map(rows.map((row) => [row.key, Number(row.purchase_id)]))
        for (const { id, key } of all) expect(byKey.get(key)).toBe(id)
        // and the rollups agree with the purchases
        const { rows: [check] } = yield* Effect.promise(() =>
          admin.query<{ same: boolean }>(
            `SELECT (SELECT purchases FROM chain_totals) = (SELECT count(*) FROM purchases)
                AND (SELECT revenue FROM chain_totals) = (SELECT coalesce(sum(total_amount), 0) FROM purchases)
                AND (SELECT customers FROM chain_totals) = (SELECT count(DISTINCT user_id) FROM purchases) AS same`
          )
        )
        expect(check!.same).toBe(true)
      }))
  })
}
