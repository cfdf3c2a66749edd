/**
 * Purchase throughput: `npm run bench:purchases -- [--clients 16] [--seconds 10]`.
 * Starts `npm start` on a fresh embedded database (or, with DATABASE_URL set, on that server), then
 * rings up purchases from concurrent typed clients for a while and prints what it measured.
 */
import { FetchHttpClient, HttpApiClient } from "@effect/platform"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { CashRegisterApi, NewPurchase } from "@icash/domain"
import { Clock, Effect, Schema } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { embeddedDatabase, freePort, startAll } from "../test/Processes.js"

const option = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`)
  return at === -1 ? fallback : Number(process.argv[at + 1])
}
const clients = option("clients", 16)
const seconds = option("seconds", 10)

const percentile = (sorted: ReadonlyArray<number>, p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!

const bench = Effect.gen(function*() {
  const dir = mkdtempSync(path.join(tmpdir(), "icash-bench-"))
  yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
  const databaseUrl = process.env.DATABASE_URL ?? ""
  const system = yield* startAll(
    { cashRegister: yield* freePort, storeAnalytics: yield* freePort },
    databaseUrl === "" ? embeddedDatabase(path.join(dir, ".data")) : { DATABASE_URL: databaseUrl }
  )
  const register = yield* HttpApiClient.make(CashRegisterApi, { baseUrl: system.cashRegister })
  const products = (yield* register.catalog.listProducts()).map((p) => p.id)
  const branches = (yield* register.catalog.listBranches()).map((b) => b.id)

  const latencies: Array<number> = []
  const started = yield* Clock.currentTimeMillis
  const until = started + seconds * 1000
  const cashier = (n: number) =>
    Effect.gen(function*() {
      let i = n
      while ((yield* Clock.currentTimeMillis) < until) {
        const basket = products.filter((_, k) => (i + k) % 3 === 0)
        const payload = Schema.decodeUnknownSync(NewPurchase)({
          branch_id: branches[i % branches.length],
          items: basket.map((product_id) => ({ product_id }))
        })
        const t0 = performance.now()
        yield* register.purchases.create({ payload })
        latencies.push(performance.now() - t0)
        i++
      }
    })
  yield* Effect.all(Array.from({ length: clients }, (_, n) => cashier(n)), { concurrency: "unbounded" })
  const elapsed = ((yield* Clock.currentTimeMillis) - started) / 1000
  const sorted = latencies.sort((a, b) => a - b)
  const database = databaseUrl === "" ? "embedded PGlite" : "PostgreSQL server"
  console.log(
    `${database}, ${clients} concurrent clients, ${elapsed.toFixed(1)} s: ${latencies.length} purchases, ` +
      `${(latencies.length / elapsed).toFixed(0)} purchases/s, latency p50 ${percentile(sorted, 0.5).toFixed(1)} ms, ` +
      `p99 ${percentile(sorted, 0.99).toFixed(1)} ms`
  )
})

bench.pipe(Effect.scoped, Effect.provide([FetchHttpClient.layer, NodeContext.layer]), NodeRuntime.runMain)
