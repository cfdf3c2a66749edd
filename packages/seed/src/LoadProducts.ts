import { SqlClient } from "@effect/sql"
import { ImportRepo } from "@icash/persistence"
import { Effect } from "effect"
import { validateProducts } from "./ProductsFile.js"
import { readCsvFile } from "./SourceFile.js"

export interface ProductsLoaded {
  readonly file: string
  readonly in_file: number
  readonly added: number
  readonly updated: number
  readonly unchanged: number
}

/** Loads a products file in one transaction: all of it, or (with a bad row) none of it. */
export const loadProducts = Effect.fn("Seed.loadProducts")(function*(file: string) {
  const sql = yield* SqlClient.SqlClient
  const repo = yield* ImportRepo
  const products = yield* validateProducts(file, yield* readCsvFile(file))
  const { added, updated } = yield* sql.withTransaction(repo.upsertProducts(products)).pipe(
    Effect.catchTag("SqlError", Effect.die)
  )
  const loaded: ProductsLoaded = {
    file,
    in_file: products.length,
    added,
    updated,
    unchanged: products.length - added - updated
  }
  yield* Effect.logInfo("products loaded").pipe(Effect.annotateLogs({ ...loaded }))
  return loaded
})
