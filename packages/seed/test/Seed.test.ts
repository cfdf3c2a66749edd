import { FileSystem } from "@effect/platform"
import { SqlClient } from "@effect/sql"
import { layer } from "@effect/vitest"
import { type TestEngine, testEngines } from "@icash/persistence/testing"
import { formatInvalidFile, InvalidFile, loadProducts, loadPurchases, seed, SeedLive } from "@icash/seed"
import { Effect, Layer, Logger, LogLevel } from "effect"
import { existsSync, readFileSync } from "node:fs"
import path from "node:path"
import { expect } from "vitest"
import { figures } from "./Figures.js"

// The chain's original files, with the figures a correct import gives (see their README).
const icashDir = path.resolve(import.meta.dirname, "fixtures/icash")
const icash = {
  products: path.join(icashDir, "Products_list.csv"),
  purchases: path.join(icashDir, "Purchases.csv")
}
const ourData = {
  products: path.resolve(import.meta.dirname, "../../../data/Products_list.csv"),
  purchases: path.resolve(import.meta.dirname, "../../../data/Purchases.csv")
}

const seedTestLive = (database: TestEngine["database"]) =>
  SeedLive.pipe(
    Layer.provideMerge(database),
    Layer.provideMerge(Logger.minimumLogLevel(LogLevel.Warning))
  )

/** A file with these contents, deleted when the test ends. */
const tempFile = (contents: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const file = yield* fs.makeTempFileScoped({ suffix: ".csv" })
    yield* fs.writeFileString(file, contents)
    return file
  })

const layerOptions = { excludeTestServices: true, timeout: "60 seconds" } as const

for (const engine of await testEngines()) {
  layer(seedTestLive(engine.database), layerOptions)(`seeding the iCash files on ${engine.name}`, (it) => {
    it("finds the original iCash files", () => {
      expect(existsSync(icash.products) && existsSync(icash.purchases)).toBe(true)
    })

    it.effect("loads them exactly: the figures of the iCash README", () =>
      Effect.gen(function*() {
        const summary = yield* seed(icash)
        expect(summary.products).toMatchObject({ in_file: 10, added: 10, updated: 0, unchanged: 0 })
        expect(summary.purchases).toMatchObject({
          in_file: 2183,
          added: 2183,
          already_present: 0,
          branches_in_file: 3,
          branches_added: 3,
          customers_in_file: 1762,
          customers_added: 1762
        })

        const loaded = yield* figures
        expect(loaded).toMatchObject({
          products: 10,
          branches: 3,
          purchases: 2183,
          customers: 1762,
          unique_customers: 1762,
          loyal_customers: 142,
          revenue: "13608.90",
          // every total is the sum of its items' prices
          items_revenue: "13608.90"
        })
        expect(loaded.byBranch).toEqual([["SMKT001", 313], ["SMKT002", 981], ["SMKT003", 889]])
        // ids follow the codes, not the order the file first names them in (SMKT003 comes first)
        const sql = yield* SqlClient.SqlClient
        expect(yield* sql`SELECT id, code FROM branches ORDER BY id`).toEqual([
          { id: 1, code: "SMKT001" },
          { id: 2, code: "SMKT002" },
          { id: 3, code: "SMKT003" }
        ])
        expect(loaded.unitsByProduct.slice(0, 4)).toEqual([
          ["milk", 1823],
          ["eggs", 1812],
          ["bread", 1777],
          ["toilet paper", 94]
        ])
      }))

    it.effect("keeps a purchase as the file has it: UTC to the microsecond, branch named by its code", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const rows = yield* sql<{ code: string; name: string; at: string; user_id: string; total_amount: string }>`
          SELECT b.code, b.name, to_char(p."timestamp" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS at,
                 p.user_id::text, p.total_amount::text
          FROM purchases p JOIN branches b ON b.id = p.supermarket_id
          WHERE p.user_id = '01e1e159-8045-43c2-88dd-5682b18bd680'`
        // first row of the file: SMKT003,2025-05-26T19:51:00.539354,01e1e159-…,"eggs,milk",4.5
        expect(rows).toEqual([{
          code: "SMKT003",
          name: "SMKT003",
          at: "2025-05-26T19:51:00.539354",
          user_id: "01e1e159-8045-43c2-88dd-5682b18bd680",
          total_amount: "4.50"
        }])
        // every customer was first seen at their earliest purchase
        const [firstSeen] = yield* sql<{ wrong: number }>`
          SELECT count(*)::int AS wrong FROM customers c
          WHERE c.first_seen_at <> (SELECT min(p."timestamp") FROM purchases p WHERE p.user_id = c.id)`
        expect(firstSeen!.wrong).toBe(0)
      }))

    it.effect("adds nothing when the same files are loaded again", () =>
      Effect.gen(function*() {
        const before = yield* figures
        const summary = yield* seed(icash)
        expect(summary.products).toMatchObject({ added: 0, updated: 0, unchanged: 10 })
        expect(summary.purchases).toMatchObject({
          added: 0,
          already_present: 2183,
          branches_added: 0,
          customers_added: 0
        })
        expect(yield* figures).toEqual(before)
      }))

    it.scoped("loads nothing of a purchases file with a bad row, and says which line", () =>
      Effect.gen(function*() {
        const before = yield* figures
        const lines = readFileSync(icash.purchases, "utf8").trimEnd().split("\n")
        const file = yield* tempFile(
          [
            ...lines.slice(0, 3),
            // new purchases, a new branch and a new customer that must not be written either
            "SMKT009,2025-07-01T10:00:00.000001,3f0b7a52-63c4-4a0e-9d3e-4f5e0a1b2c3d,milk,1.5",
            "SMKT001,2025-07-01T10:00:00.000002,3f0b7a52-63c4-4a0e-9d3e-4f5e0a1b2c3d,\"milk,eggs\",4.6",
            ...lines.slice(3)
          ].join("\r\n")
        )
        const error = yield* loadPurchases(file).pipe(Effect.flip)
        if (!(error instanceof InvalidFile)) throw error
        expect(formatInvalidFile(error)).toBe(
          `${file}: 1 bad row, nothing of this file loaded\n` +
            "  line 5: total_amount 4.6 does not match the listed products' current prices, which sum to 4.50"
        )
        expect(yield* figures).toEqual(before)
      }))

    it.scoped("loads nothing of a products file with a bad row", () =>
      Effect.gen(function*() {
        const before = yield* figures
        const file = yield* tempFile("product_name,unit_price\nmilk,1.75\nbutter,2.5\nbutter,2.6\n")
        const error = yield* loadProducts(file).pipe(Effect.flip)
        expect(error).toMatchObject({
          _tag: "InvalidFile",
          badRows: [{ line: 4, reason: "product \"butter\" is already listed on line 3" }]
        })
        expect(yield* figures).toEqual(before)
      }))

    it.scoped("updates a changed price and adds a new product, leaving the rest alone", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const changed = readFileSync(icash.products, "utf8").replace("milk,1.5", "milk,1.75")
        const file = yield* tempFile(`${changed}butter,2.5\n`)
        expect(yield* loadProducts(file)).toMatchObject({ in_file: 11, added: 1, updated: 1, unchanged: 9 })
        const prices = yield* sql<{ product_name: string; unit_price: string }>`
          SELECT product_name, unit_price::text FROM products WHERE product_name IN ('milk', 'butter', 'eggs')
          ORDER BY product_name`
        expect(prices).toEqual([
          { product_name: "butter", unit_price: "2.50" },
          { product_name: "eggs", unit_price: "3.00" },
          { product_name: "milk", unit_price: "1.75" }
        ])
        // the purchases already loaded keep the price they were sold at
        const [milkSales] = yield* sql<{ prices: Array<string> }>`
          SELECT array_agg(DISTINCT i.unit_price::text) AS prices
          FROM purchase_items i JOIN products p ON p.id = i.product_id WHERE p.product_name = 'milk'`
        expect(milkSales!.prices).toEqual(["1.50"])
      }))
  })

  layer(seedTestLive(engine.database), layerOptions)(`seeding our own data files on ${engine.name}`, (it) => {
    it.effect("loads data/ cleanly: 10 products, 3 branches, 1,200+ purchases, returning customers", () =>
      Effect.gen(function*() {
        const summary = yield* seed(ourData)
        const loaded = yield* figures
        expect(summary.purchases.added).toBe(loaded.purchases)
        expect(loaded.products).toBe(10)
        expect(loaded.byBranch.map(([code]) => code)).toEqual(["SMKT001", "SMKT002", "SMKT003"])
        expect(loaded.purchases).toBeGreaterThanOrEqual(1200)
        expect(loaded.unique_customers).toBe(400)
        expect(loaded.loyal_customers).toBe(60)
        expect(loaded.items_revenue).toBe(loaded.revenue)

        const sql = yield* SqlClient.SqlClient
        const [span] = yield* sql<{ days: number; opens: number; closes: number }>`
          SELECT (max("timestamp")::date - min("timestamp")::date) AS days,
                 min(extract(hour FROM "timestamp" AT TIME ZONE 'UTC'))::int AS opens,
                 max(extract(hour FROM "timestamp" AT TIME ZONE 'UTC'))::int AS closes
          FROM purchases`
        expect(span!.days).toBeGreaterThanOrEqual(150)
        expect(span!.opens).toBeGreaterThanOrEqual(8)
        expect(span!.closes).toBeLessThan(21)
      }))

    it.effect("adds nothing on a second load", () =>
      Effect.gen(function*() {
        const before = yield* figures
        const summary = yield* seed(ourData)
        expect(summary.purchases.added).toBe(0)
        expect(summary.purchases.already_present).toBe(before.purchases)
        expect(yield* figures).toEqual(before)
      }))
  })
}
