import { SqlClient } from "@effect/sql"
import { ImportRepo } from "@icash/persistence"
import { Effect } from "effect"
import { BadRowCollector, InvalidFile, MAX_REPORTED_BAD_ROWS } from "./BadRows.js"
import { currentCatalog } from "./Catalog.js"
import { ImportBatches } from "./ImportBatches.js"
import { ImportProgress } from "./Progress.js"
import { samePurchaseAs } from "./PurchasesFile.js"
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
 * Writes what the staging table holds, set-based: the branches and customers it names, then the
 * purchases not loaded before with their items, a slice at a time.
 */
const writeStaged = Effect.fn("Seed.writeStaged")(function*(file: string, staged: number) {
  const repo = yield* ImportRepo
  yield* repo.indexPurchaseStaging
  const branches = yield* repo.insertStagedBranches
  const customers = yield* repo.upsertStagedCustomers
  const { purchasesPerStatement } = yield* ImportBatches
  const progress = yield* (yield* ImportProgress).start("writing purchases", staged)
  let added = 0
  for (let after = 0; after < staged; after += purchasesPerStatement) {
    const upTo = Math.min(after + purchasesPerStatement, staged)
    added += yield* repo.insertStagedPurchases(after, upTo)
    progress.update(upTo, upTo)
  }
  const loaded: PurchasesLoaded = {
    file,
    in_file: staged,
    added,
    already_present: staged - added,
    branches_in_file: branches.in_file,
    branches_added: branches.added,
    customers_in_file: customers.in_file,
    customers_added: customers.added
  }
  return loaded
}, Effect.scoped)

/**
 * Loads a purchases file in one transaction, checked against the products already in the database:
 * the file is streamed into a staging table by COPY, checked whole, then written set-based. A bad
 * row anywhere (reported with its line) and nothing of the file is written. Memory stays flat
 * whatever the file's size.
 */
export const loadPurchases = Effect.fn("Seed.loadPurchases")(function*(file: string) {
  const sql = yield* SqlClient.SqlClient
  const repo = yield* ImportRepo
  const catalog = yield* currentCatalog
  const loaded = yield* Effect.gen(function*() {
    const bad = new BadRowCollector()
    yield* repo.createPurchaseStaging
    const staged = yield* stagePurchases(file, catalog, bad)
    yield* collectDuplicates(bad)
    if (!bad.isEmpty) return yield* InvalidFile.fromCollector(file, bad)
    return yield* writeStaged(file, staged)
  }).pipe(sql.withTransaction, Effect.catchTag("SqlError", Effect.die))
  yield* Effect.logInfo("purchases loaded").pipe(Effect.annotateLogs({ ...loaded }))
  return loaded
})
