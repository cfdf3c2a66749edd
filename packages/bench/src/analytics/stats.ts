/** Latency figures from the exact times of every answer (not autocannon's whole-millisecond histogram). */

export interface Latency {
  readonly count: number
  readonly p50: number
  readonly p90: number
  readonly p99: number
  readonly max: number
  readonly mean: number
}

/** The nearest-rank percentile `p` (0–100) of values sorted ascending; NaN when there are none. */
export const percentile = (sorted: ReadonlyArray<number>, p: number): number => {
  if (sorted.length === 0) return NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!
}

export const summarizeLatencies = (values: ReadonlyArray<number>): Latency => {
  const sorted = Float64Array.from(values).sort()
  const list = Array.from(sorted)
  return {
    count: list.length,
    p50: percentile(list, 50),
    p90: percentile(list, 90),
    p99: percentile(list, 99),
    max: list.length === 0 ? NaN : list[list.length - 1]!,
    mean: list.length === 0 ? NaN : list.reduce((a, b) => a + b, 0) / list.length
  }
}
