import { ImportRepo } from "@icash/persistence"
import { Effect } from "effect"
import type { Catalog } from "./PurchaseFields.js"

export interface PurchasesWritten {
  readonly added: number
  readonly branches_added: number
  readonly customers_in_file: number
  readonly customers_added: number
}

/**
 * Writes the staging table's purchases set-based, a slice at a time as the file is staged (`write`),
 * then what needs the whole file (`finish`): the customers, first seen at their earliest purchase,
 * and the rollups when no trigger folded the slices.
 *
 * Where the transaction may (see `ImportRepo.mayCheckReferencesItself`), the purchases go in without
 * the foreign keys' row-by-row checks, which cost more than the inserts themselves; what those checks
 * ensure is ensured set-based instead: every branch and the catalogue's products are locked first
 * (a product gone since the file was checked is a defect, as the checks would have failed), a
 * purchase's branch is joined by code, its items are its own, and `finish` inserts or locks every
 * customer the file names before the transaction commits. No trigger fires either: `finish` folds all
 * the purchases into the rollups at once, where the triggers would fold each slice. Elsewhere the
 * checks run, each slice's new customers inserted before its purchases, and the triggers fold them;
 * live purchases then wait for the import from its start (see `ImportRepo.lockCustomersForWriting`).
 */
export const stagedWriter = Effect.fn("Seed.stagedWriter")(function*(catalog: Catalog) {
  const repo = yield* ImportRepo
  const referencesChecked = yield* repo.mayCheckReferencesItself
  if (!referencesChecked) yield* repo.lockCustomersForWriting
  const productIds = [...catalog.values()].map((product) => product.id)
  const locked = yield* repo.lockReferences(productIds)
  if (locked !== productIds.length) {
    return yield* Effect.dieMessage(`${productIds.length - locked} products of the catalogue went during the import`)
  }
  let added = 0
  let branchesAdded = 0
  let customersAdded = 0

  const write = (after: number, upTo: number) =>
    Effect.gen(function*() {
      branchesAdded += yield* repo.insertStagedBranches(after, upTo)
      if (!referencesChecked) customersAdded += yield* repo.insertStagedCustomers(after, upTo)
      added += yield* repo.insertStagedPurchases(after, upTo, referencesChecked)
    })

  const finish = Effect.gen(function*() {
    const customers = yield* repo.upsertStagedCustomers
    if (referencesChecked) yield* repo.foldImported
    const written: PurchasesWritten = {
      added,
      branches_added: branchesAdded,
      customers_in_file: customers.in_file,
      customers_added: customersAdded + customers.added
    }
    return written
  })

  return {
    write,
    /** How many purchases `write` has added so far (those whose import key was new). */
    get added() {
      return added
    },
    finish
  } as const
})
