import { SqlClient } from "@effect/sql"
import { ImportRepo } from "@icash/persistence"
import { Effect } from "effect"
import { BadRowCollector, InvalidFile, MAX_REPORTED_BAD_ROWS } from "./BadRows.js"
import { currentCatalog } from "./Catalog.js"
import { samePurchaseAs } from "./PurchasesFile.js"
import { stagedWriter } from "./StagedWriter.js"
import { stagePurchases } from "./StagePurchases.js"

export interface PurchasesLoaded {
  readonly file: string
  readonly in_file: number
  readonly added: number
  readonly already_present: number
  readonly branches_in_file: number
  readonly branches_added: number
  readonly customers_in_file: number
  readonly customers_added: number
}

/** Rows of the staging table that repeat an earlier row's purchase are bad rows of the file too. */
const collectDuplicates = Effect.fn("Seed.collectDuplicates")(function*(bad: BadRowCollector) {
  const duplicates = yield* (yield* ImportRepo).stagedDuplicates(MAX_REPORTED_BAD_ROWS)
  for (const { first_line, line } of duplicates.rows) bad.add(line, [samePurchaseAs(first_line)])
  bad.addUnreported(duplicates.count - duplicates.rows.length)
})

/**
 * Loads a purchases file in one transaction, checked against the products already in the database:
 * the file is streamed into a staging table by COPY, and each slice of it written set-based while
 * the next is read. A bad row anywhere (reported with its line) and nothing of the file is written:
 * after the first one, no slice is; the transaction rolls back what was. Memory stays flat whatever
 * the file's size.
 */
export const loadPurchases = Effect.fn("Seed.loadPurchases")(function*(file: string) {
  const sql = yield* SqlClient.SqlClient
  const repo = yield* ImportRepo
  const catalog = yield* currentCatalog
  const loaded = yield* Effect.gen(function*() {
    const bad = new BadRowCollector()
    yield* repo.createPurchaseStaging
    const writer = yield* stagedWriter(catalog)
    const staged = yield* stagePurchases(
      file,
      catalog,
      bad,
      (after, upTo) => bad.isEmpty ? writer.write(after, upTo) : Effect.void
    )
    // Every slice written means every repeat of an earlier line was left out by its import key:
    // there are none if nothing was. Otherwise they are looked for, to be reported.
    if (!bad.isEmpty || writer.added < staged.purchases) yield* collectDuplicates(bad)
    if (!bad.isEmpty) return yield* InvalidFile.fromCollector(file, bad)
    const written = yield* writer.finish
    const loaded: PurchasesLoaded = {
      file,
      in_file: staged.purchases,
      already_present: staged.purchases - written.added,
      branches_in_file: staged.branches,
      ...written
    }
    return loaded
  }).pipe(sql.withTransaction, Effect.catchTag("SqlError", Effect.die))
  yield* Effect.logInfo("purchases loaded").pipe(Effect.annotateLogs({ ...loaded }))
  return loaded
})
