import { SqlClient } from "@effect/sql"
import { layer } from "@effect/vitest"
import { testEngines } from "@icash/persistence/testing"
import { Effect } from "effect"
import { expect } from "vitest"

const layerOptions = { excludeTestServices: true, timeout: "60 seconds" } as const

for (const engine of await testEngines()) {
  layer(engine.database, layerOptions)(`the triggers an import's inserts meet on ${engine.name}`, (it) => {
    // An import may insert purchases as a replica would (ImportRepo.insertStagedPurchases): then no
    // trigger fires, and the import does their work itself (ImportRepo.foldImported). A new insert
    // trigger on these tables needs the same from the import.
    it.effect("the only insert triggers of purchases and purchase_items, but the foreign keys', are the folds", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const triggers = yield* sql<{ name: string; enabled: string }>`
          SELECT tgname AS name, tgenabled AS enabled FROM pg_trigger
          WHERE tgrelid IN ('purchases'::regclass, 'purchase_items'::regclass)
            AND NOT tgisinternal AND (tgtype & 4) <> 0
          ORDER BY tgname`
        expect(triggers).toEqual([
          { name: "purchase_items_fold", enabled: "O" },
          { name: "purchases_fold", enabled: "O" }
        ])
      }))
  })
}
