import type { Counts } from "./Stats.js"

/** Why the simulator stopped. */
export type StopReason =
  | { readonly _tag: "Count"; readonly count: number }
  | { readonly _tag: "Duration"; readonly duration: string }
  | { readonly _tag: "Interrupted" }

export interface Summary {
  readonly stoppedBy: StopReason
  readonly counts: Counts
  /** From the first register's start to the last one's end. */
  readonly elapsedMillis: number
  readonly seed: number
  /** The --rate asked for, and the registers that shared it. */
  readonly targetRate: number
  readonly registers: number
}

/** Acknowledged purchases per second over the whole run. */
export const overallRate = (summary: Summary) =>
  summary.elapsedMillis > 0 ? (summary.counts.acknowledged * 1000) / summary.elapsedMillis : 0

/**
 * A register rings one purchase at a time: when the Cash Register answers slowly, the registers
 * cannot keep up the rate asked for. Said when a run of 5 seconds or more without failures sent
 * under 80% of it.
 */
const shortfall = (summary: Summary) => {
  const sentRate = summary.elapsedMillis > 0 ? (summary.counts.sent * 1000) / summary.elapsedMillis : 0
  return summary.elapsedMillis >= 5000 && summary.counts.failed === 0 && sentRate < 0.8 * summary.targetRate
    ? `\n                (${summary.targetRate}/s asked for: the ${summary.registers} registers were waiting for answers; ` +
      "more --registers go faster)"
    : ""
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`

const why = (reason: StopReason) => {
  switch (reason._tag) {
    case "Count":
      return `${plural(reason.count, "purchase", "purchases")} acknowledged`
    case "Duration":
      return `${reason.duration} elapsed`
    case "Interrupted":
      return "stopped by Ctrl-C"
  }
}

const failures = (counts: Counts) => {
  const reasons = Object.entries(counts.failures).sort(([a, m], [b, n]) => n - m || a.localeCompare(b))
  return reasons.length === 0 ? "0" : `${counts.failed}: ${reasons.map(([reason, n]) => `${reason} x${n}`).join(", ")}`
}

/**
 * ```
 * Simulator done (stopped by Ctrl-C)
 *   sent          104 purchases (2 retries)
 *   acknowledged  100
 *   failed        4: HTTP 503 x3, connection refused x1
 *   duration      20.4 s
 *   rate          4.9 purchases/s acknowledged
 *   seed          42 (--seed 42 rings up the same baskets again)
 * ```
 */
export const formatSummary = (summary: Summary) => {
  const { counts } = summary
  return [
    `Simulator done (${why(summary.stoppedBy)})`,
    `  sent          ${plural(counts.sent, "purchase", "purchases")} (${plural(counts.retries, "retry", "retries")})`,
    `  acknowledged  ${counts.acknowledged}`,
    `  failed        ${failures(counts)}`,
    `  duration      ${(summary.elapsedMillis / 1000).toFixed(1)} s`,
    `  rate          ${overallRate(summary).toFixed(1)} purchases/s acknowledged${shortfall(summary)}`,
    `  seed          ${summary.seed} (--seed ${summary.seed} rings up the same baskets again)`
  ].join("\n")
}
