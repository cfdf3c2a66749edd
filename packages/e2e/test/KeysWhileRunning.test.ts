import { FetchHttpClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { createKey, embeddedDatabase, execScript, freePort, startAll } from "./Processes.js"

const keys = (env: Record<string, string>, ...args: ReadonlyArray<string>) =>
  execScript("packages/auth/src/main.ts", args, env)

const scopedDataDir = Effect.acquireRelease(
  Effect.sync(() => path.join(mkdtempSync(path.join(tmpdir(), "icash-keys-")), ".data")),
  (dataDir) => Effect.sync(() => rmSync(path.dirname(dataDir), { recursive: true, force: true }))
)

describe("npm run keys while npm start holds the embedded database", () => {
  it.live(
    "goes through npm start's Cash Register: the key it makes works, and the one it revokes is refused within a second",
    () =>
      Effect.gen(function*() {
        const dataDir = yield* scopedDataDir
        const ports = { cashRegister: yield* freePort, storeAnalytics: yield* freePort }
        const system = yield* startAll(ports, embeddedDatabase(dataDir))
        const env = { ...embeddedDatabase(dataDir), CASH_REGISTER_PORT: String(ports.cashRegister) }
        const status = (url: string, secret: string) =>
          HttpClient.execute(HttpClientRequest.get(url).pipe(HttpClientRequest.bearerToken(secret))).pipe(
            Effect.map((response) => response.status)
          )

        const secret = yield* createKey(env, "--role", "analyst", "--name", "head office")
        expect(secret).toMatch(/^icash_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/)
        const id = secret.slice(6, 18)
        expect(yield* status(`${system.storeAnalytics}/analytics/customers`, secret)).toBe(200)
        const listed = yield* keys(env, "list")
        expect(listed.exitCode).toBe(0)
        expect(listed.stdout).toMatch(new RegExp(`${id}\\s+analyst\\s+-\\s+head office\\s+\\d{4}-`))

        const revoked = yield* keys(env, "revoke", id)
        expect(revoked).toMatchObject({ exitCode: 0, stdout: expect.stringContaining(`Revoked analyst key ${id}`) })
        const revokedAt = Date.now()
        for (const url of [`${system.cashRegister}/branches`, `${system.storeAnalytics}/analytics/customers`]) {
          while ((yield* status(url, secret)) !== 401) {
            expect(Date.now() - revokedAt, `${url} refuses it within a second`).toBeLessThan(1000)
            yield* Effect.sleep("20 millis")
          }
        }
        // ensure-admin opens the database itself: it says why it cannot
        const ensured = yield* keys(env, "ensure-admin")
        expect(ensured.exitCode).not.toBe(0)
        expect(ensured.stderr).toContain("is in use by process")
      }).pipe(Effect.scoped, Effect.provide(Layer.merge(NodeContext.layer, FetchHttpClient.layer))),
    { timeout: 240_000 }
  )

  it.live(
    "says what to do when another process holds the database and no Cash Register answers",
    () =>
      Effect.gen(function*() {
        const dataDir = yield* scopedDataDir
        mkdirSync(dataDir, { recursive: true })
        // this test's own process holds the database, and serves nothing
        writeFileSync(path.join(dataDir, "icash.lock"), String(process.pid))
        const env = { ...embeddedDatabase(dataDir), CASH_REGISTER_PORT: String(yield* freePort) }

        const withoutKey = yield* keys(env, "list")
        expect(withoutKey.exitCode).not.toBe(0)
        expect(withoutKey.stderr).toContain(`there is no admin key in ${path.join(dataDir, "admin.key")}`)

        writeFileSync(
          path.join(dataDir, "admin.key"),
          "icash_0123456789ab_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
        )
        const unanswered = yield* keys(env, "create", "--role", "analyst")
        expect(unanswered.exitCode).not.toBe(0)
        expect(unanswered.stderr).toContain(
          `keys: the embedded database is in use by another process, and no Cash Register answers at ` +
            `http://127.0.0.1:${env.CASH_REGISTER_PORT}: wait until npm start is ready`
        )
        expect(unanswered.stderr).toContain("set DATABASE_URL")
      }).pipe(Effect.scoped, Effect.provide(NodeContext.layer)),
    { timeout: 60_000 }
  )
})
