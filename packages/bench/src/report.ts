/** The results: one table on stdout, everything in a JSON file. */
import { mkdirSync, writeFileSync } from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type { LoadResult } from "./load.js"
import type { Target } from "./options.js"

export interface RunResult {
  readonly target: Target
  readonly round: number
  /** The command that started the server, and the variables the bench set for it. */
  readonly command: string
  readonly env: Record<string, string>
  readonly readyMs: number
  readonly nodeReadyMs: number
  /** Bytes: VmRSS right after ready, peak VmRSS sampled during the measured run, VmHWM at its end. */
  readonly idleRss: number
  readonly peakRss: number
  readonly highWaterRss: number
  readonly rssSamples: number
  readonly purchasesPerSecond: number
  readonly measured: LoadResult
  readonly warmup: LoadResult | undefined
  /** Purchases the database gained during the measured run (must equal measured.created). */
  readonly purchasesAdded: number
  readonly warmupPurchasesAdded: number | undefined
  readonly countsMatch: boolean
  /** CPU the server's process used per stored purchase, and its share of one core, in the measured run. */
  readonly serverCpuMsPerPurchase: number
  readonly serverCpuCores: number
  /** CPU of the bench process itself (autocannon) in the measured run, in cores. */
  readonly loadGeneratorCpuCores: number
  /** CPU of all PostgreSQL processes of the server (not only ours) in the measured run. */
  readonly postgresCpuMsPerPurchase: number
  readonly postgresCpuCores: number
  /** The share of the machine's CPU processes used in the measured run (0–1), and its 1-minute load before it. */
  readonly machineBusy: number
  /** The share of the machine's CPU (0–1) that neither the server, the bench nor PostgreSQL used in the run. */
  readonly otherBusy: number
  readonly loadAverageBefore: number
}

/** Above this share of the machine's CPU used by other processes, a run's numbers are flagged as skewed. */
export const BUSY_WARNING = 0.1

export const TARGETS = {
  ratio: 1.0,
  p99Ms: 50,
  errors: 0,
  rssBytes: 150e6,
  readyMs: 2000
} as const

const MB = 1e6
const median = (values: ReadonlyArray<number>) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

export interface Summary {
  readonly icash: RunResult | undefined
  readonly floor: RunResult | undefined
  /** iCash purchases/s over the floor's (medians over rounds). */
  readonly ratio: number | undefined
  readonly targets:
    | Record<string, { readonly value: number; readonly limit: number; readonly met: boolean }>
    | undefined
}

/** The median run of each server (by purchases/s), and how iCash compares. */
export const summarize = (runs: ReadonlyArray<RunResult>): Summary => {
  const medianRun = (target: Target) => {
    const own = runs.filter((run) => run.target === target)
    if (own.length === 0) return undefined
    const rate = median(own.map((run) => run.purchasesPerSecond))
    return own.reduce((best, run) =>
      Math.abs(run.purchasesPerSecond - rate) < Math.abs(best.purchasesPerSecond - rate) ? run : best
    )
  }
  const icash = medianRun("icash")
  const floor = medianRun("floor")
  const ratio = icash !== undefined && floor !== undefined
    ? icash.purchasesPerSecond / floor.purchasesPerSecond
    : undefined
  const icashRuns = runs.filter((run) => run.target === "icash")
  const worst = (f: (run: RunResult) => number) => Math.max(...icashRuns.map(f))
  const targets = icash === undefined ? undefined : {
    ...(ratio === undefined ? {} : { ratio: { value: ratio, limit: TARGETS.ratio, met: ratio >= TARGETS.ratio } }),
    p99Ms: {
      value: worst((r) => r.measured.latency.p99),
      limit: TARGETS.p99Ms,
      met: worst((r) => r.measured.latency.p99) <= TARGETS.p99Ms
    },
    errors: {
      value: worst((r) => r.measured.errors),
      limit: TARGETS.errors,
      met: worst((r) => r.measured.errors) <= TARGETS.errors
    },
    rssBytes: {
      value: worst((r) => r.peakRss),
      limit: TARGETS.rssBytes,
      met: worst((r) => r.peakRss) <= TARGETS.rssBytes
    },
    readyMs: { value: worst((r) => r.readyMs), limit: TARGETS.readyMs, met: worst((r) => r.readyMs) <= TARGETS.readyMs }
  }
  return { icash, floor, ratio, targets }
}

const fixed = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : "-")

const HEADER = [
  "server",
  "purchases/s",
  "p50 ms",
  "p99 ms",
  "errors",
  "peak RSS MB",
  "idle RSS MB",
  "ready ms",
  "ready ms (node)",
  "CPU ms/purchase",
  "db check"
]

const row = (label: string, run: RunResult) => [
  label,
  fixed(run.purchasesPerSecond),
  fixed(run.measured.latency.p50),
  fixed(run.measured.latency.p99),
  String(run.measured.errors),
  fixed(run.peakRss / MB),
  fixed(run.idleRss / MB),
  fixed(run.readyMs),
  fixed(run.nodeReadyMs),
  fixed(run.serverCpuMsPerPurchase, 2),
  run.countsMatch ? `ok ${run.purchasesAdded}` : `MISMATCH ${run.purchasesAdded}/${run.measured.created}`
]

const ratioRow = (icash: RunResult, floor: RunResult) => {
  const r = (a: number, b: number, digits = 2) => (b > 0 ? `${fixed(a / b, digits)}x` : "-")
  return [
    "iCash / floor",
    r(icash.purchasesPerSecond, floor.purchasesPerSecond),
    r(icash.measured.latency.p50, floor.measured.latency.p50, 1),
    r(icash.measured.latency.p99, floor.measured.latency.p99, 1),
    "",
    r(icash.peakRss, floor.peakRss, 1),
    r(icash.idleRss, floor.idleRss, 1),
    r(icash.readyMs, floor.readyMs, 1),
    r(icash.nodeReadyMs, floor.nodeReadyMs, 1),
    r(icash.serverCpuMsPerPurchase, floor.serverCpuMsPerPurchase, 1),
    ""
  ]
}

const align = (rows: ReadonlyArray<ReadonlyArray<string>>) => {
  const widths = HEADER.map((_, column) => Math.max(...rows.map((cells) => (cells[column] ?? "").length)))
  const line = (cells: ReadonlyArray<string>) =>
    cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join(
      "  "
    )
      .trimEnd()
  const rule = widths.map((width) => "-".repeat(width)).join("  ")
  return [line(rows[0]!), rule, ...rows.slice(1).map(line)].join("\n")
}

const name = (run: RunResult) => (run.target === "icash" ? "iCash" : "floor")

export const formatTable = (runs: ReadonlyArray<RunResult>, summary: Summary, context: string) => {
  const multipleRounds = runs.some((run) => run.round > 1)
  const rows: Array<ReadonlyArray<string>> = [HEADER]
  for (const run of runs) rows.push(row(multipleRounds ? `${name(run)} #${run.round}` : name(run), run))
  if (summary.icash !== undefined && summary.floor !== undefined) {
    rows.push(ratioRow(summary.icash, summary.floor))
  }
  const lines = [context, "", align(rows)]
  if (multipleRounds && summary.ratio !== undefined) {
    lines.push("", `ratio of the median runs: ${fixed(summary.ratio, 2)}x`)
  }
  const label = (run: RunResult) => `${name(run)}${multipleRounds ? ` #${run.round}` : ""}`
  lines.push("", "CPU during the measured run, in cores (the machine has " + String(os.cpus().length) + "):")
  for (const run of runs) {
    lines.push(
      `  ${label(run)}: server ${fixed(run.serverCpuCores, 2)}, PostgreSQL ${fixed(run.postgresCpuCores, 2)}, ` +
        `load generator ${fixed(run.loadGeneratorCpuCores, 2)}; other processes ${
          fixed(run.otherBusy * 100)
        }% of the machine`
    )
  }
  if (runs.some((run) => run.otherBusy > BUSY_WARNING)) {
    lines.push(
      `WARNING: other processes used over ${BUSY_WARNING * 100}% of the machine in a run: its numbers are skewed`
    )
  }
  if (summary.targets !== undefined) {
    const shown: Record<string, (value: number) => string> = {
      ratio: (v) => `ratio ${fixed(v, 2)} >= ${TARGETS.ratio}`,
      p99Ms: (v) => `p99 ${fixed(v)} ms <= ${TARGETS.p99Ms}`,
      errors: (v) => `errors ${v} = 0`,
      rssBytes: (v) => `RSS ${fixed(v / MB)} MB <= ${TARGETS.rssBytes / MB}`,
      readyMs: (v) => `ready ${fixed(v)} ms <= ${TARGETS.readyMs}`
    }
    const checks = Object.entries(summary.targets).map(([key, t]) =>
      `${shown[key]?.(t.value) ?? key} ${t.met ? "ok" : "MISSED"}`
    )
    lines.push("", `iCash targets: ${checks.join(" | ")}`)
  }
  return lines.join("\n")
}

/** bench-results/ingest-2026-01-31T12-00-00Z.json (or analytics-…) under `root`, or `out` as given. */
export const resultsFile = (
  root: string,
  out: string | undefined,
  startedAt: Date,
  part: "ingest" | "analytics" = "ingest"
) =>
  out !== undefined
    ? path.resolve(out)
    : path.join(
      root,
      "bench-results",
      `${part}-${startedAt.toISOString().replace(/\.\d+Z$/, "Z").replaceAll(":", "-")}.json`
    )

export const writeJson = (file: string, value: unknown) => {
  mkdirSync(path.dirname(file), { recursive: true })
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`)
}
