import { FetchHttpClient } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { scopedTestDatabase, testEngines } from "@icash/persistence/testing"
import { Effect, Layer } from "effect"
import type { ChildProcess } from "node:child_process"
import { randomUUID } from "node:crypto"
import pg from "pg"
import { built, createKey, freePort, programOf, runScript, startUserProcess, waitUntilReady } from "./Processes.js"

const exitOf = (child: ChildProcess) =>
  Effect.async<number | null>((resume) => {
    if (child.exitCode !== null) return resume(Effect.succeed(child.exitCode))
    child.once("exit", (code) => resume(Effect.succeed(code)))
  })

/** Starts a service as its own process and waits until it is ready. */
const start = (entry: string, portVariable: string, env: Record<string, string>) =>
  Effect.gen(function*() {
    yield* built
    const port = yield* freePort
    const service = yield* startUserProcess(process.execPath, [programOf(entry)], {
      LOG_LEVEL: "Warn",
      LOG_DIR: "",
      ...env,
      [portVariable]: String(port)
    })
    const baseUrl = `http://127.0.0.1:${port}`
    yield* waitUntilReady(`${baseUrl}/ready`)
    return { baseUrl, child: service.child }
  })

const purchase = (baseUrl: string, key: string) =>
  fetch(`${baseUrl}/purchases`, {
    method: "POST",
    headers: { "content-type": "application/json", "idempotency-key": randomUUID(), authorization: `Bearer ${key}` },
    body: JSON.stringify({ branch_id: 1, items: [{ product_id: 1 }] })
  }).then(
    async (response) => ({ status: response.status, body: await response.json() as { _tag?: string } }),
    (error: unknown) => ({ status: 0, body: { _tag: String(error) } })
  )

const engines = (await testEngines()).filter((engine) => engine.name === "PostgreSQL")

for (const _ of engines) {
  layer(Layer.mergeAll(NodeContext.layer, FetchHttpClient.layer), {
    excludeTestServices: true,
    timeout: "120 seconds"
  })("stopping on SIGTERM", (it) => {
    it.scoped("finishes what is in flight, refuses what comes after, ends the live streams, and exits 0", () =>
      Effect.gen(function*() {
        const database = yield* scopedTestDatabase
        const env = { DATABASE_URL: database.url }
        yield* runScript("packages/persistence/src/main.ts", [], env)
        const key = yield* createKey(env, "--role", "admin")
        const admin = new pg.Client({ connectionString: database.url })
        yield* Effect.promise(() => admin.connect())
        yield* Effect.addFinalizer(() => Effect.promise(() => admin.end()))
        yield* Effect.promise(() =>
          admin.query(`INSERT INTO branches (code, name) VALUES ('SMKT001', 'Centro');
                       INSERT INTO products (product_name, unit_price) VALUES ('milk', 1.5)`)
        )
        const register = yield* start("packages/cash-register/src/main.ts", "CASH_REGISTER_PORT", env)
        const analytics = yield* start("packages/store-analytics/src/main.ts", "STORE_ANALYTICS_PORT", env)

        // a live stream is open: stopping must end it, not wait for it
        const stream = yield* Effect.promise(() =>
          fetch(`${analytics.baseUrl}/analytics/stream`, { headers: { authorization: `Bearer ${key}` } })
        )
        const reader = stream.body!.getReader()
        yield* Effect.promise(() => reader.read())

        // tills ringing up while the cash register is told to stop
        const answers = yield* Effect.promise(async () => {
          const inFlight = Array.from({ length: 150 }, () => purchase(register.baseUrl, key))
          await new Promise((resolve) => setTimeout(resolve, 20))
          register.child.kill("SIGTERM")
          const later = await new Promise<Array<Awaited<ReturnType<typeof purchase>>>>((resolve) =>
            setTimeout(
              () => Promise.all(Array.from({ length: 20 }, () => purchase(register.baseUrl, key))).then(resolve),
              5
            )
          )
          return [...(await Promise.all(inFlight)), ...later]
        })
        expect(yield* exitOf(register.child)).toBe(0)
        // every answer is a 201 (those already taken in finish), a 503 saying it is stopping, or a refused
        // or closed connection once it is gone: never a hang, never a purchase half-stored
        for (const answer of answers) {
          if (answer.status === 503) expect(answer.body._tag).toBe("ServiceUnavailable")
          else if (answer.status !== 0) expect(answer.status).toBe(201)
        }
        const acknowledged = answers.filter((answer) => answer.status === 201).length
        const { rows: [stored] } = yield* Effect.promise(() =>
          admin.query<{ n: number }>("SELECT count(*)::int AS n FROM purchases")
        )
        expect(stored!.n).toBe(acknowledged)

        analytics.child.kill("SIGTERM")
        expect(yield* exitOf(analytics.child)).toBe(0)
        let ended = false
        while (!ended) ended = (yield* Effect.promise(() => reader.read().catch(() => ({ done: true })))).done
      }))
  })
}
