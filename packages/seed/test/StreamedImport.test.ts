import { FileSystem } from "@effect/platform"
import { SqlClient } from "@effect/sql"
import { layer } from "@effect/vitest"
import { cents, customerId, formatCents, parseDecimalCents, ProductId } from "@icash/domain"
import { copyPurchaseStaging, ImportRepo, purchaseStagingLine } from "@icash/persistence"
import { type TestEngine, testEngines } from "@icash/persistence/testing"
import {
  copyIn,
  formatInvalidFile,
  ImportBatches,
  importKey,
  ImportProgress,
  InvalidFile,
  largeSamplePurchases,
  loadProducts,
  loadPurchases,
  parseCsv,
  parseTimestamp,
  type ProgressReporter,
  sampleProductsCsv,
  SeedLive,
  UnreadableFile
} from "@icash/seed"
import { Effect, Layer, Logger, LogLevel, Stream } from "effect"
import path from "node:path"
import { expect } from "vitest"
import { figures, foldedAndRebuiltRollups } from "./Figures.js"

// Small batches, so that a file of a few thousand purchases goes through the import the way one of
// millions does: several CSV chunks, COPY blobs (PGlite) and insert statements.
const SmallBatchesLive = Layer.succeed(ImportBatches, { purchasesPerStatement: 700, bytesPerBlob: 64 * 1024 })

const importTestLive = (database: TestEngine["database"]) =>
  SeedLive.pipe(
    Layer.provideMerge(database),
    Layer.provideMerge(SmallBatchesLive),
    Layer.provideMerge(Logger.minimumLogLevel(LogLevel.Warning))
  )

/** A purchases file of our sample data: its lines, the first the header (with the byte-order mark). */
const sampleLines: ReadonlyArray<string> = [...largeSamplePurchases(11, { purchases: 3000, customers: 400 })]
  .join("")
  .trimEnd()
  .split("\n")

/** What loading the sample must give, worked out from its lines rather than by the import. */
const expected = (() => {
  const rows = parseCsv(sampleLines.join("\n")).rows.slice(1)
  const items = rows.flatMap((row) => row.fields[3]!.split(","))
  return {
    purchases: rows.length,
    items: items.length,
    customers: new Set(rows.map((row) => row.fields[2]!.toLowerCase())).size,
    revenue: formatCents(rows.reduce((sum, row) => sum + parseDecimalCents(row.fields[4]!)!, 0)),
    // file order
    importKeys: rows.map((row) =>
      importKey({
        branch_code: row.fields[0]!,
        timestamp: parseTimestamp(row.fields[1]!)!,
        user_id: row.fields[2]!.toLowerCase(),
        product_names: row.fields[3]!.split(",")
      })
    )
  }
})()

/** A file with these lines, deleted when the test ends. */
const tempFile = (lines: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const file = yield* fs.makeTempFileScoped({ suffix: ".csv" })
    yield* fs.writeFileString(file, `${lines.join("\n")}\n`)
    return file
  })

/** `lines` with `text` put at `line` (a physical line number: the header is 1), in place of what was there or before it. */
const withLine = (lines: ReadonlyArray<string>, line: number, text: string, mode: "replace" | "insert") => {
  const copy = [...lines]
  copy.splice(line - 1, mode === "replace" ? 1 : 0, text)
  return copy
}

/** `lines` with line `first` repeated at line `at` are refused, naming both lines, and nothing is loaded. */
const refusesRepeat = (lines: ReadonlyArray<string>, first: number, at: number) =>
  Effect.gen(function*() {
    const before = yield* figures
    const file = yield* tempFile(withLine(lines, at, lines[first - 1]!, "insert"))
    const error = yield* loadPurchases(file).pipe(Effect.flip)
    expect(error).toMatchObject({
      _tag: "InvalidFile",
      badRowCount: 1,
      badRows: [{ line: at, reason: `same purchase as line ${first} (branch, timestamp, customer and items)` }]
    })
    expect(yield* figures).toEqual(before)
  })

/** A purchases line of the sample whose total is off by a cent. */
const wrongTotal = (line: string) =>
  line.replace(/,([\d.]+)$/, (_, total) => `,${formatCents(parseDecimalCents(total)! + 1)}`)

const recordingProgress = () => {
  const seen: Array<{ task: string; total: number; done: number; rows: number }> = []
  const reporter: ProgressReporter = {
    start: (task, total) =>
      Effect.sync(() => {
        const entry = { task, total, done: 0, rows: 0 }
        seen.push(entry)
        return {
          update: (done, rows) => {
            entry.done = done
            entry.rows = rows
          }
        }
      })
  }
  return { seen, layer: Layer.succeed(ImportProgress, reporter) }
}

const layerOptions = { excludeTestServices: true, timeout: "120 seconds" } as const

for (const engine of await testEngines()) {
  layer(importTestLive(engine.database), layerOptions)(`streaming a purchases file in on ${engine.name}`, (it) => {
    it.scoped("loads a file through many chunks, COPY statements and insert statements, exactly", () =>
      Effect.gen(function*() {
        const products = yield* tempFile(sampleProductsCsv.trimEnd().split("\n"))
        yield* loadProducts(products)
        const file = yield* tempFile(sampleLines)
        const progress = recordingProgress()
        const summary = yield* loadPurchases(file).pipe(Effect.provide(progress.layer))
        expect(summary).toMatchObject({
          in_file: expected.purchases,
          added: expected.purchases,
          already_present: 0,
          branches_in_file: 3,
          branches_added: 3,
          customers_in_file: expected.customers,
          customers_added: expected.customers
        })
        expect(yield* figures).toMatchObject({
          purchases: expected.purchases,
          items: expected.items,
          customers: expected.customers,
          unique_customers: expected.customers,
          revenue: expected.revenue,
          items_revenue: expected.revenue
        })
        const { folded, rebuilt } = yield* foldedAndRebuiltRollups
        expect(folded).toEqual(rebuilt)

        const sql = yield* SqlClient.SqlClient
        // ids follow the file's order
        const keys = yield* sql<{ import_key: string }>`SELECT import_key FROM purchases ORDER BY id`
        expect(keys.map((row) => row.import_key)).toEqual(expected.importKeys)
        const [firstSeen] = yield* sql<{ wrong: number }>`
          SELECT count(*)::int AS wrong FROM customers c
          WHERE c.first_seen_at <> (SELECT min(p."timestamp") FROM purchases p WHERE p.user_id = c.id)`
        expect(firstSeen!.wrong).toBe(0)

        // one bar to the end: the slices are written as the file is read
        const { size } = yield* (yield* FileSystem.FileSystem).stat(file)
        expect(progress.seen).toEqual([
          { task: `loading ${path.basename(file)}`, total: Number(size), done: Number(size), rows: sampleLines.length }
        ])
      }))

    it.scoped("adds nothing when the same file is loaded again", () =>
      Effect.gen(function*() {
        const before = yield* figures
        const summary = yield* loadPurchases(yield* tempFile(sampleLines))
        expect(summary).toMatchObject({
          in_file: expected.purchases,
          added: 0,
          already_present: expected.purchases,
          branches_added: 0,
          customers_added: 0
        })
        expect(yield* figures).toEqual(before)
      }))

    it.scoped("refuses a file with a bad row far into it, with the row's line, and writes nothing", () =>
      Effect.gen(function*() {
        const before = yield* figures
        const lines = withLine(
          withLine(sampleLines, 2500, wrongTotal(sampleLines[2499]!), "replace"),
          11,
          // a new branch and a new purchase that must not be written either
          "SMKT009,2025-07-01T10:00:00.000001,3f0b7a52-63c4-4a0e-9d3e-4f5e0a1b2c3d,milk,1.49",
          "insert"
        )
        const file = yield* tempFile(lines)
        const error = yield* loadPurchases(file).pipe(Effect.flip)
        if (!(error instanceof InvalidFile)) throw error
        expect(formatInvalidFile(error)).toMatch(
          new RegExp(
            `^${file}: 1 bad row, nothing of this file loaded\n` +
              "  line 2501: total_amount [\\d.]+ does not match the listed products' current prices, which sum to"
          )
        )
        expect(yield* figures).toEqual(before)
      }))

    it.scoped("refuses a purchase repeated far from its first line, naming both lines", () =>
      refusesRepeat(sampleLines, 3, 2900))

    it.scoped("refuses a file of new purchases in which one repeats another slice's, naming both lines", () =>
      refusesRepeat(
        [...largeSamplePurchases(12, { purchases: 1500, customers: 200 })].join("").trimEnd().split("\n"),
        6,
        1400
      ))

    it.scoped("counts every bad row, and reports the first ones of the file whichever check found them", () =>
      Effect.gen(function*() {
        const before = yield* figures
        // 150 wrong totals from line 1000 on, and early in the file a repeat of line 2, found last
        const wrong = sampleLines.map((line, i) => (i >= 999 && i < 1149 ? wrongTotal(line) : line))
        const lines = withLine(wrong, 10, sampleLines[1]!, "insert")
        const error = yield* loadPurchases(yield* tempFile(lines)).pipe(Effect.flip)
        if (!(error instanceof InvalidFile)) throw error
        expect(error.badRowCount).toBe(151)
        expect(error.badRows).toHaveLength(100)
        expect(error.badRows[0]).toEqual({
          line: 10,
          reason: "same purchase as line 2 (branch, timestamp, customer and items)"
        })
        expect(error.badRows.slice(1).map((row) => row.line)).toEqual(
          Array.from({ length: 99 }, (_, i) => 1001 + i)
        )
        expect(formatInvalidFile(error)).toMatch(/\n {2}\.\.\. and 51 more bad rows$/)
        expect(yield* figures).toEqual(before)
      }))

    it.scoped("refuses a file it cannot read, and writes nothing", () =>
      Effect.gen(function*() {
        const before = yield* figures
        const error = yield* loadPurchases("/nonexistent/Purchases.csv").pipe(Effect.flip)
        expect(error).toBeInstanceOf(UnreadableFile)
        expect(yield* figures).toEqual(before)
      }))

    it.scoped("ends a COPY whose rows stop coming: nothing is kept, and the database is usable again", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const repo = yield* ImportRepo
        const staging = Effect.gen(function*() {
          yield* repo.createPurchaseStaging
          const line = purchaseStagingLine(1, {
            line: 2,
            import_key: "00000000-0000-0000-0000-000000000001",
            branch_code: "SMKT001",
            user_id: customerId("3f0b7a52-63c4-4a0e-9d3e-4f5e0a1b2c3d"),
            timestamp: "2025-07-01T10:00:00.000001Z",
            total_amount: cents(149),
            items: [{ product_id: ProductId.make(1), unit_price: cents(149) }]
          })
          return yield* copyIn(
            copyPurchaseStaging,
            Stream.concat(Stream.make(line), Stream.fail("the file went away" as const))
          )
        }).pipe(sql.withTransaction)
        expect(yield* Effect.flip(staging)).toBe("the file went away")
        // the staging table went with the transaction: a new import starts afresh
        const copied = yield* Effect.zipRight(
          repo.createPurchaseStaging,
          copyIn(copyPurchaseStaging, Stream.empty)
        ).pipe(sql.withTransaction)
        expect(copied).toBe(0)
        expect(yield* sql<{ one: number }>`SELECT 1 AS one`).toEqual([{ one: 1 }])
      }))

    it.effect("copies only within a transaction", () =>
      Effect.gen(function*() {
        const outcome = yield* copyIn(copyPurchaseStaging, Stream.empty).pipe(
          Effect.as("copied"),
          Effect.catchAllDefect((defect) => Effect.succeed(String(defect)))
        )
        expect(outcome).toMatch(/needs a transaction/)
      }))
  })
}
