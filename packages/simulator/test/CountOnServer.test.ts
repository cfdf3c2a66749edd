import { FetchHttpClient } from "@effect/platform"
import { SqlClient } from "@effect/sql"
import { expect, layer } from "@effect/vitest"
import { DEFAULT_OPTIONS, simulate } from "@icash/simulator"
import { Duration, Effect, Option, Redacted } from "effect"
import { AdminKey, cashRegisterOn, countPurchases, preferredEngine, serverUrl } from "./CashRegisterServer.js"

const quiet = { _tag: "lines", every: Duration.hours(1) } as const

const countKeys = Effect.flatMap(
  SqlClient.SqlClient,
  (sql) =>
    Effect.map(
      sql<{ readonly n: number }>`SELECT count(DISTINCT key)::int AS n FROM idempotency_keys`,
      (rows) => rows[0]!.n
    )
)

const engine = await preferredEngine()

layer(cashRegisterOn(engine), { excludeTestServices: true, timeout: "60 seconds" })(
  `the simulator against the Cash Register on ${engine.name}`,
  (it) => {
    it.effect("--count N lands exactly N purchases, at the branches asked for, from several registers at once", () =>
      Effect.gen(function*() {
        const summary = yield* simulate(
          {
            ...DEFAULT_OPTIONS,
            url: yield* serverUrl,
            key: Option.some(Redacted.make(yield* AdminKey)),
            rate: 2000,
            limit: { _tag: "Count", count: 60 },
            branches: Option.some(["SMKT001", "SMKT003"]),
            registersPerBranch: 4,
            seed: Option.some(9)
          },
          quiet
        ).pipe(Effect.provide(FetchHttpClient.layer))

        expect(summary.counts).toMatchObject({ sent: 60, acknowledged: 60, failed: 0 })
        const stored = yield* countPurchases
        expect(stored.map((row) => row.branch)).toEqual(["SMKT001", "SMKT003"])
        expect(stored.reduce((sum, row) => sum + row.n, 0)).toBe(60)
        // each with an Idempotency-Key of its own, which the Cash Register keeps
        expect(yield* countKeys).toBe(60)
      }))
  }
)
