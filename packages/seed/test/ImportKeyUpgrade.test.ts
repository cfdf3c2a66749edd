import { FileSystem } from "@effect/platform"
import { Migrator, SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { layer } from "@effect/vitest"
import { embeddedPgClient, migrate, migrationsById } from "@icash/persistence"
import { scopedTestDatabase, testEngines } from "@icash/persistence/testing"
import { loadPurchases, SeedLive } from "@icash/seed"
import { Effect, Layer, Logger, LogLevel, Redacted } from "effect"
import { createHash } from "node:crypto"
import { expect } from "vitest"
import { figures } from "./Figures.js"

// What the import keys were until migration 0008: the whole SHA-256 of the purchase, in hex.
const keyBefore0008 = (branch: string, timestamp: string, user: string, products: ReadonlyArray<string>) =>
  createHash("sha256").update(JSON.stringify([branch, timestamp, user, [...products].sort()])).digest("hex")

const migrateUpTo = (last: keyof typeof migrationsById) => {
  const ids = Object.keys(migrationsById)
  const loader = Migrator.fromRecord(Object.fromEntries(
    ids.slice(0, ids.indexOf(last) + 1).map((id) => [id, migrationsById[id as keyof typeof migrationsById]])
  ))
  return Migrator.make({})({ loader })
}

const unmigrated = {
  PGlite: embeddedPgClient("memory://"),
  PostgreSQL: Layer.unwrapScoped(
    Effect.map(scopedTestDatabase, ({ url }) => PgClient.layer({ url: Redacted.make(url) }))
  )
}

const ALICE = "3f0b7a52-63c4-4a0e-9d3e-4f5e0a1b2c3d"
const line = `SMKT001,2025-07-01T10:00:00.000001Z,${ALICE},"milk,eggs",4.50`

for (const engine of await testEngines()) {
  const live = SeedLive.pipe(
    Layer.provideMerge(unmigrated[engine.name]),
    Layer.provideMerge(Logger.minimumLogLevel(LogLevel.Warning))
  )
  layer(live, { excludeTestServices: true, timeout: "60 seconds" })(`upgrading to 0008 on ${engine.name}`, (it) => {
    it.scoped("a purchase loaded with a key of before 0008 is recognized when its file is loaded again", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* migrateUpTo("0007_fold_imports_once")
        const oldKey = keyBefore0008("SMKT001", "2025-07-01T10:00:00.000001Z", ALICE, ["milk", "eggs"])
        yield* sql`INSERT INTO products (product_name, unit_price) VALUES ('milk', 1.50), ('eggs', 3.00)`
        yield* sql`INSERT INTO branches (code, name) VALUES ('SMKT001', 'SMKT001')`
        yield* sql`INSERT INTO customers (id, first_seen_at) VALUES (${ALICE}, '2025-07-01T10:00:00.000001Z')`
        yield* sql`
          WITH purchase AS (
            INSERT INTO purchases (supermarket_id, user_id, "timestamp", total_amount, import_key)
            SELECT id, ${ALICE}, '2025-07-01T10:00:00.000001Z', 4.50, ${oldKey} FROM branches
            RETURNING id
          )
          INSERT INTO purchase_items (purchase_id, product_id, unit_price)
          SELECT purchase.id, products.id, products.unit_price FROM purchase, products`

        yield* migrate
        const [stored] = yield* sql<{ import_key: string }>`SELECT import_key::text FROM purchases`
        expect(stored!.import_key.replaceAll("-", "")).toBe(oldKey.slice(0, 32))

        const fs = yield* FileSystem.FileSystem
        const purchases = yield* fs.makeTempFileScoped({ suffix: ".csv" })
        yield* fs.writeFileString(purchases, `supermarket_id,timestamp,user_id,items_list,total_amount\n${line}\n`)
        const summary = yield* loadPurchases(purchases)
        expect(summary).toMatchObject({ in_file: 1, added: 0, already_present: 1 })
        expect(yield* figures).toMatchObject({ purchases: 1, items: 2, revenue: "4.50" })
      }))
  })
}
