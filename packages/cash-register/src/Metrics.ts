import { Metric } from "effect"

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
