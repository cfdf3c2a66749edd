import { HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { KeyRegistry } from "@icash/auth"
import { CashRegisterApiLive } from "@icash/cash-register"
import { ApiKeysRepo, DatabaseLive, RepositoriesLive } from "@icash/persistence"
import { scopedTestDatabase, testEngines } from "@icash/persistence/testing"
import { httpApiLive } from "@icash/runtime"
import { ConfigProvider, Effect, Layer, Logger, LogLevel } from "effect"
import { execFile } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..")

/** `npm run keys -- ...` as a user runs it (the built program), on the database `url`. */
const keys = (url: string, ...args: ReadonlyArray<string>) =>
  Effect.async<{ readonly code: number; readonly stdout: string; readonly stderr: string }>((resume) => {
    execFile(
      process.execPath,
      [path.join(root, "dist/keys.js"), ...args],
      { cwd: root, env: { ...process.env, DATABASE_URL: url, LOG_DIR: "" } },
      (error, stdout, stderr) =>
        resume(Effect.succeed({ code: error === null ? 0 : Number(error.code), stdout, stderr }))
    )
  })

const lastLine = (text: string) => text.trimEnd().split("\n").at(-1)!

const onPostgres = (await testEngines()).some((engine) => engine.name === "PostgreSQL")

describe.runIf(onPostgres)("API keys on PostgreSQL", () => {
  it.live(
    "npm run keys makes, lists and revokes keys; a revoked key stops working on a running service within a second",
    () =>
      Effect.gen(function*() {
        const { url } = yield* scopedTestDatabase
        // a running Cash Register on that database, as it starts in production
        const server = httpApiLive(CashRegisterApiLive).pipe(
          Layer.provideMerge(RepositoriesLive),
          Layer.provideMerge(NodeHttpServer.layerTest),
          Layer.provideMerge(DatabaseLive),
          Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["DATABASE_URL", url]])))),
          Layer.provide(Logger.minimumLogLevel(LogLevel.Warning))
        )
        yield* Effect.gen(function*() {
          const client = yield* HttpClient.HttpClient
          const branches = (secret: string) =>
            client.execute(HttpClientRequest.get("/branches").pipe(HttpClientRequest.bearerToken(secret))).pipe(
              Effect.map((response) => response.status)
            )

          const made = yield* keys(url, "create", "--role", "analyst", "--name", "head office")
          expect(made.code).toBe(0)
          const secret = lastLine(made.stdout)
          expect(secret).toMatch(/^icash_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/)
          const id = secret.slice(6, 18)
          expect(made.stdout).toContain(`Made analyst key ${id} (head office).`)
          expect(yield* branches(secret)).toBe(200)

          const refused = yield* keys(url, "create", "--role", "register", "--branch", "SMKT404")
          expect(refused.code).not.toBe(0)
          expect(refused.stderr).toContain("no branch SMKT404")

          // only the hash is stored, and nobody is shown the secret again
          const repo = yield* ApiKeysRepo
          const stored = (yield* repo.active()).find((key) => key.id === id)!
          expect(JSON.stringify(stored)).not.toContain(secret.slice(19))
          const listed = yield* keys(url, "list")
          expect(listed.stdout).toMatch(new RegExp(`${id}\\s+analyst\\s+-\\s+head office\\s+\\d{4}-`))
          expect(listed.stdout).not.toContain("icash_")

          const revoked = yield* keys(url, "revoke", secret)
          expect(revoked.code).toBe(0)
          const revokedAt = Date.now()
          while ((yield* branches(secret)) !== 401) {
            expect(Date.now() - revokedAt, "refused within a second").toBeLessThan(1000)
            yield* Effect.sleep("20 millis")
          }
          expect(lastLine((yield* keys(url, "list")).stdout)).toMatch(/\d{4}-\d\d-\d\dT[\d:]+Z$/)
        }).pipe(Effect.provide(server))
      }).pipe(Effect.scoped),
    60_000
  )

  it.live("records when each key was last used", () =>
    Effect.gen(function*() {
      const { url } = yield* scopedTestDatabase
      const database = RepositoriesLive.pipe(
        Layer.provideMerge(DatabaseLive),
        Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["DATABASE_URL", url]]))))
      )
      yield* Effect.gen(function*() {
        const secret = lastLine((yield* keys(url, "create", "--role", "admin")).stdout)
        // a service's registry, checking one request, then stopping (which writes what it saw)
        yield* Effect.flatMap(KeyRegistry, (registry) => registry.authenticate(secret)).pipe(
          Effect.provide(KeyRegistry.Default),
          Effect.scoped
        )
        const [key] = yield* (yield* ApiKeysRepo).list()
        expect(key!.last_used_at).not.toBeNull()
      }).pipe(Effect.provide(database))
    }).pipe(Effect.scoped), 60_000)
})
