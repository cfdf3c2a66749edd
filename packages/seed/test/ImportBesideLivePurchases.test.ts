import { FileSystem } from "@effect/platform"
import { SqlClient } from "@effect/sql"
import { layer } from "@effect/vitest"
import { BranchId, customerId, ProductId } from "@icash/domain"
import { ImportRepo, PurchasesRepo } from "@icash/persistence"
import { testEngines } from "@icash/persistence/testing"
import {
  ImportBatches,
  largeSamplePurchases,
  loadProducts,
  loadPurchases,
  parseCsv,
  sampleProductsCsv,
  SeedLive
} from "@icash/seed"
import { Effect, Layer, Logger, LogLevel, Ref } from "effect"
import { expect } from "vitest"
import { foldedAndRebuiltRollups } from "./Figures.js"

const sample = [...largeSamplePurchases(5, { purchases: 4000, customers: 500 })].join("")
const rows = parseCsv(sample).rows.slice(1)
const branchCodes = [...new Set(rows.map((row) => row.fields[0]!))].sort()
// customers of the file, and some the file does not name
const liveCustomers = [
  ...new Set(rows.map((row) => row.fields[2]!.toLowerCase())),
  ...Array.from({ length: 50 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`)
].map((id) => customerId(id))

/** Live purchases, a group at a time, until `importing` is false; returns how many groups. */
const postLivePurchases = (importing: Ref.Ref<boolean>) =>
  Effect.gen(function*() {
    const purchases = yield* PurchasesRepo
    let groups = 0
    while (yield* Ref.get(importing)) {
      const group = Array.from({ length: 1 + (groups % 4) }, (_, i) => {
        const n = groups * 7 + i * 13
        return {
          branch_id: BranchId.make(1 + (n % branchCodes.length)),
          user_id: liveCustomers[(n * 31) % liveCustomers.length]!,
          product_ids: [...new Set([1 + (n % 10), 1 + ((n * 3) % 10)])].map((id) => ProductId.make(id))
        }
      })
      yield* purchases.insertGroup(group)
      groups++
    }
    return groups
  })

// The import as it runs without the privilege to skip the foreign keys' checks: the triggers fold each slice.
const WithoutReplicaRole = Layer.effect(
  ImportRepo,
  Effect.map(ImportRepo, (repo) => ImportRepo.make({ ...repo, mayCheckReferencesItself: Effect.succeed(false) }))
)

const testLive = SeedLive.pipe(
  Layer.merge(PurchasesRepo.Default),
  Layer.provideMerge(Layer.succeed(ImportBatches, { purchasesPerStatement: 500, bytesPerBlob: 64 * 1024 })),
  Layer.provideMerge(Logger.minimumLogLevel(LogLevel.Warning))
)

// Folding at the end, the import locks the rollups only then: live purchases go in between its own.
// Folding each slice, it locks them from the first slice to its commit: live purchases wait.
const paths = [
  { name: "folds its purchases once, at the end", importRepo: Layer.empty, livePurchasesBetween: true },
  {
    name: "folds each slice by the triggers, without the privilege to skip them",
    importRepo: WithoutReplicaRole,
    livePurchasesBetween: false
  }
]

// Live purchases are written by another connection while an import runs: PostgreSQL server only.
for (const engine of (await testEngines()).filter((engine) => engine.name === "PostgreSQL")) {
  for (const path of paths) {
    layer(testLive.pipe(Layer.provideMerge(engine.database)), { excludeTestServices: true, timeout: "120 seconds" })(
      `an import beside live purchases on ${engine.name}`,
      (it) => {
        it.scoped(`${path.name}: the rollups are as a rebuild makes them`, () =>
          Effect.gen(function*() {
            const sql = yield* SqlClient.SqlClient
            const fs = yield* FileSystem.FileSystem
            const products = yield* fs.makeTempFileScoped({ suffix: ".csv" })
            yield* fs.writeFileString(products, sampleProductsCsv)
            yield* loadProducts(products)
            for (const code of branchCodes) yield* sql`INSERT INTO branches (code, name) VALUES (${code}, ${code})`
            const file = yield* fs.makeTempFileScoped({ suffix: ".csv" })
            yield* fs.writeFileString(file, sample)

            const importing = yield* Ref.make(true)
            const [loaded, groups] = yield* Effect.all([
              loadPurchases(file).pipe(Effect.provide(path.importRepo), Effect.ensuring(Ref.set(importing, false))),
              postLivePurchases(importing)
            ], { concurrency: "unbounded" })
            expect(loaded.added).toBe(rows.length)
            expect(groups).toBeGreaterThan(0)
            const [interleaved] = yield* sql<{ live: number }>`
              WITH imported AS (SELECT min(id) AS first, max(id) AS last FROM purchases WHERE import_key IS NOT NULL)
              SELECT count(*)::int AS live FROM purchases, imported
              WHERE import_key IS NULL AND id BETWEEN imported.first AND imported.last`
            expect(interleaved!.live > 0).toBe(path.livePurchasesBetween)

            const { folded, rebuilt } = yield* foldedAndRebuiltRollups
            expect(folded).toEqual(rebuilt)
          }))
      }
    )
  }
}
