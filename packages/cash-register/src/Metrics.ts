import type { Cents } from "@icash/domain"
import { Effect, Metric } from "effect"

/** Purchases recorded, per branch: its rate is the chain's purchases per second. */
export const purchasesRecorded = Metric.counter("icash.purchases", {
  description: "Purchases recorded",
  incremental: true
})

/** Money taken, in currency units, per branch. */
export const salesAmount = Metric.counter("icash.sales.amount", {
  description: "Money taken by recorded purchases, in currency units",
  incremental: true
})

// Tagging allocates and hashes: each branch's pair of counters is made once.
const perBranch = new Map<
  number,
  { readonly purchases: typeof purchasesRecorded; readonly sales: typeof salesAmount }
>()

/** Counts a committed purchase and the money it took, under its branch. */
export const countPurchase = (branch_id: number, total: Cents) => {
  let counters = perBranch.get(branch_id)
  if (counters === undefined) {
    const branch = String(branch_id)
    counters = {
      purchases: Metric.tagged(purchasesRecorded, "branch_id", branch),
      sales: Metric.tagged(salesAmount, "branch_id", branch)
    }
    perBranch.set(branch_id, counters)
  }
  return Effect.zipRight(Metric.increment(counters.purchases), Metric.incrementBy(counters.sales, total / 100))
}
