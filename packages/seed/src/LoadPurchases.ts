import { SqlClient } from "@effect/sql"
import type { CustomerId } from "@icash/domain"
import { type CustomerToImport, ImportRepo } from "@icash/persistence"
import { Effect } from "effect"
import { currentCatalog } from "./Catalog.js"
import { type PurchaseLine, validatePurchases } from "./PurchasesFile.js"
import { readCsvFile } from "./SourceFile.js"

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

/** Each customer once, first seen at their earliest purchase in the file. */
const customersOf = (purchases: ReadonlyArray<PurchaseLine>): ReadonlyArray<CustomerToImport> => {
  const firstSeen = new Map<CustomerId, string>()
  for (const { timestamp, user_id } of purchases) {
    const seen = firstSeen.get(user_id)
    // Canonical timestamps (UTC, fixed width) order correctly as strings.
    if (seen === undefined || timestamp < seen) firstSeen.set(user_id, timestamp)
  }
  return Array.from(firstSeen, ([id, first_seen_at]) => ({ id, first_seen_at }))
}

/**
 * Loads a purchases file in one transaction, checked against the products already in the database:
 * branches and customers it names, then the purchases not loaded before, with their items.
 */
export const loadPurchases = Effect.fn("Seed.loadPurchases")(function*(file: string) {
  const sql = yield* SqlClient.SqlClient
  const repo = yield* ImportRepo
  const catalog = yield* currentCatalog
  const purchases = yield* validatePurchases(file, yield* readCsvFile(file), catalog)
  const codes = [...new Set(purchases.map((purchase) => purchase.branch_code))]
  const customers = customersOf(purchases)

  const loaded: PurchasesLoaded = yield* Effect.gen(function*() {
    const branches = yield* repo.ensureBranches(codes)
    const branchId = new Map(branches.branches.map((branch) => [branch.code, branch.id]))
    const customersAdded = yield* repo.upsertCustomers(customers)
    const added = yield* repo.insertPurchases(
      purchases.map(({ branch_code, line: _line, ...purchase }) => ({
        ...purchase,
        branch_id: branchId.get(branch_code)!
      }))
    )
    return {
      file,
      in_file: purchases.length,
      added,
      already_present: purchases.length - added,
      branches_in_file: codes.length,
      branches_added: branches.added,
      customers_in_file: customers.length,
      customers_added: customersAdded
    }
  }).pipe(sql.withTransaction, Effect.catchTag("SqlError", Effect.die))
  yield* Effect.logInfo("purchases loaded").pipe(Effect.annotateLogs({ ...loaded }))
  return loaded
})
