/** The analytics part's results: one table on stdout, the targets of the issue, everything in a JSON file. */
import type { DatasetDescription, DatasetMarker } from "./dataset.js"
import { type EndpointResult, MAX_PACED_IN_FLIGHT } from "./endpoints.js"
import type { Check } from "./exactness.js"
import type { StreamLagResult } from "./stream.js"
import type { WriterResult } from "./writer.js"

export const ANALYTICS_TARGETS = {
  p99Ms: 5,
  rssBytes: 150e6,
  streamLagMs: 1000
} as const

export interface ServiceFigures {
  readonly command: string
  readonly readyMs: number
  /** Bytes: VmRSS right after ready, peak sampled under load, VmRSS after the load, VmHWM at the end. */
  readonly idleRss: number
  readonly peakRss: number
  readonly afterRss: number
  readonly highWaterRss: number
  /** Its CPU over the measurement, in cores. */
  readonly cpuCores: number
}

export interface AnalyticsResult {
  readonly dataset: {
    readonly name: string
    readonly generated: boolean
    readonly marker: DatasetMarker
    readonly before: DatasetDescription
  }
  readonly storeAnalytics: ServiceFigures
  readonly endpoints: ReadonlyArray<EndpointResult>
  readonly writes: WriterResult
  readonly stream: StreamLagResult
  readonly exactness: ReadonlyArray<Check>
  /** The floor's answers against iCash's, one check per endpoint. */
  readonly floorAgrees: ReadonlyArray<Check>
  readonly cpu: {
    readonly cashRegisterCores: number
    readonly floorCores: number
    readonly postgresCores: number
    readonly benchCores: number
    readonly otherBusy: number
  }
}

export interface TargetCheck {
  readonly name: string
  readonly value: number
  readonly limit: number
  readonly met: boolean
  readonly text: string
}

const fixed = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : "-")
const MB = 1e6
const count = (n: number) => n.toLocaleString("en-US")

/** Every check of the answers: against SQL over the purchases, and the floor's against iCash's. */
const checksOf = (result: AnalyticsResult) => [...result.exactness, ...result.floorAgrees]

/** An endpoint's errors, saturated and paced (the floor's are counted apart: they are no fault of iCash). */
export const errorsOf = (e: EndpointResult) => e.saturated.errors + e.paced.errors

/**
 * The issue's targets, each ok or missed. An answer's time is its time at the paced rate: at
 * saturation it is mostly the time spent waiting behind the other connections' requests.
 */
export const analyticsTargets = (result: AnalyticsResult): ReadonlyArray<TargetCheck> => {
  const worst = result.endpoints.reduce<EndpointResult | undefined>(
    (w, e) => (w === undefined || !(e.paced.latency.p99 <= w.paced.latency.p99) ? e : w),
    undefined
  )
  const p99 = worst?.paced.latency.p99 ?? NaN
  const lag = result.stream.notSeen > 0 ? Infinity : result.stream.lag.max
  const errors = result.endpoints.reduce((sum, e) => sum + errorsOf(e), 0) + result.writes.errors +
    result.stream.postErrors
  const mismatches = checksOf(result).filter((c) => !c.ok).length +
    (result.stream.readYourWrites.counted === result.stream.readYourWrites.checked ? 0 : 1)
  return [
    {
      name: "p99Ms",
      value: p99,
      limit: ANALYTICS_TARGETS.p99Ms,
      met: p99 <= ANALYTICS_TARGETS.p99Ms,
      text: `p99 ${fixed(p99, 2)} ms <= ${ANALYTICS_TARGETS.p99Ms}${
        worst === undefined ? "" : ` (${worst.name}, at ${worst.paced.rate} req/s)`
      }`
    },
    {
      name: "rssBytes",
      value: result.storeAnalytics.peakRss,
      limit: ANALYTICS_TARGETS.rssBytes,
      met: result.storeAnalytics.peakRss <= ANALYTICS_TARGETS.rssBytes,
      text: `RSS ${fixed(result.storeAnalytics.peakRss / MB)} MB <= ${ANALYTICS_TARGETS.rssBytes / MB}`
    },
    {
      name: "streamLagMs",
      value: lag,
      limit: ANALYTICS_TARGETS.streamLagMs,
      met: lag <= ANALYTICS_TARGETS.streamLagMs,
      text: `stream lag max ${
        Number.isFinite(lag) ? `${fixed(lag)} ms` : "(not seen)"
      } <= ${ANALYTICS_TARGETS.streamLagMs}`
    },
    { name: "errors", value: errors, limit: 0, met: errors === 0, text: `errors ${errors} = 0` },
    { name: "exact", value: mismatches, limit: 0, met: mismatches === 0, text: "exact and consistent" }
  ]
}

/** What makes the run fail: wrong answers, purchases not counted at once, failed requests. */
export const analyticsProblems = (result: AnalyticsResult): ReadonlyArray<string> => {
  const { stream, writes } = result
  const uncounted = stream.readYourWrites.checked - stream.readYourWrites.counted
  return [
    ...checksOf(result).filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`),
    ...(uncounted > 0 ? [`${uncounted} purchases not counted by GET /analytics/customers right after their 201`] : []),
    ...result.endpoints.filter((e) => errorsOf(e) > 0).map((e) =>
      `${e.name}: ${errorsOf(e)} errors ${JSON.stringify({ ...e.saturated.otherStatuses, ...e.paced.otherStatuses })}`
    ),
    ...(writes.errors > 0 ? [`writes: ${writes.errors} errors ${JSON.stringify(writes.otherStatuses)}`] : []),
    ...(stream.postErrors > 0 ? [`stream lag: ${stream.postErrors} purchases not answered 201`] : [])
  ]
}

const header = (rate: number | undefined) => [
  "endpoint",
  "saturated req/s",
  "p50 ms",
  "p99 ms",
  `at ${rate ?? "-"} req/s: p50 ms`,
  "p99 ms",
  "max ms",
  "floor: p50 ms",
  "p99 ms",
  "errors",
  "p99 target"
]

const align = (rows: ReadonlyArray<ReadonlyArray<string>>) => {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((cells) => (cells[column] ?? "").length)))
  const line = (cells: ReadonlyArray<string>) =>
    cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join("  ").trimEnd()
  return [line(rows[0]!), widths.map((width) => "-".repeat(width)).join("  "), ...rows.slice(1).map(line)].join("\n")
}

export const formatAnalyticsTable = (
  result: AnalyticsResult,
  targets: ReadonlyArray<TargetCheck>,
  context: string
) => {
  const rows: Array<ReadonlyArray<string>> = [header(result.endpoints[0]?.paced.rate)]
  for (const endpoint of result.endpoints) {
    const { floorPaced, name, paced, saturated } = endpoint
    rows.push([
      name,
      fixed(saturated.requestsPerSecond),
      fixed(saturated.latency.p50, 2),
      fixed(saturated.latency.p99, 2),
      fixed(paced.latency.p50, 2),
      fixed(paced.latency.p99, 2),
      fixed(paced.latency.max, 1),
      fixed(floorPaced.latency.p50, 2),
      fixed(floorPaced.latency.p99, 2),
      String(errorsOf(endpoint)),
      paced.latency.p99 <= ANALYTICS_TARGETS.p99Ms ? "ok" : "MISSED"
    ])
  }
  const { writes, stream, storeAnalytics: sa, dataset, cpu } = result
  const d = dataset.before
  const lines = [
    context,
    `dataset ${dataset.name} (${
      dataset.generated ? `generated in ${fixed(dataset.marker.generationSeconds)} s` : "reused"
    }): ${count(d.purchases)} purchases, ${count(d.items)} items, ${count(d.buyers)} customers who bought, ` +
    `${count(d.loyalCustomers)} with 3+ purchases (at most ${count(d.mostPurchasesOfACustomer)}), ` +
    `${fixed(d.databaseBytes / MB)} MB`,
    "",
    align(rows),
    "",
    `writes meanwhile: ${fixed(writes.rate)}/s asked, ${fixed(writes.created / writes.seconds)}/s done ` +
    `(${count(writes.created)} × 201 in ${fixed(writes.seconds)} s), ${writes.errors} errors` +
    `${writes.skipped > 0 ? `, ${count(writes.skipped)} not sent (too many unanswered)` : ""}` +
    `${writes.errors > 0 ? ` ${JSON.stringify(writes.otherStatuses)}` : ""}, ` +
    `p50 ${fixed(writes.latency.p50, 1)} ms, p99 ${fixed(writes.latency.p99, 1)} ms`,
    `store-analytics RSS: idle ${fixed(sa.idleRss / MB)} MB, peak under load ${fixed(sa.peakRss / MB)} MB, ` +
    `after ${fixed(sa.afterRss / MB)} MB (VmHWM ${fixed(sa.highWaterRss / MB)} MB); ready in ${fixed(sa.readyMs)} ms`,
    `stream lag (${stream.samples} purchases one at a time, 201 → first event counting it): p50 ${
      fixed(stream.lag.p50)
    } ms, p99 ${fixed(stream.lag.p99)} ms, max ${fixed(stream.lag.max)} ms` +
    `${stream.notSeen > 0 ? `, ${stream.notSeen} NOT SEEN within 5 s` : ""}` +
    `${stream.postErrors > 0 ? `, ${stream.postErrors} POSTs not 201` : ""}`,
    `read-your-writes: ${stream.readYourWrites.counted}/${stream.readYourWrites.checked} counted by ` +
    `GET /analytics/customers right after their 201 ${
      stream.readYourWrites.counted === stream.readYourWrites.checked ? "ok" : "MISMATCH"
    }`,
    `exactness (API vs SQL over the purchases): ${
      result.exactness.map((c) => `${c.name} ${c.ok ? "ok" : "MISMATCH"}`).join(" | ")
    }`,
    ...result.exactness.filter((c) => !c.ok).map((c) => `  ${c.name}: ${c.detail}`),
    ...result.endpoints.filter((e) => e.floorPaced.errors > 0).map((e) =>
      `the floor failed ${e.floorPaced.errors} requests of ${e.name}: ${e.floorPaced.connectionErrors} not ` +
      `answered or not sent while ${MAX_PACED_IN_FLIGHT} were unanswered, statuses ${
        JSON.stringify(e.floorPaced.otherStatuses)
      }`
    ),
    `the floor's answers = iCash's: ${
      result.floorAgrees.every((c) => c.ok)
        ? `ok (${result.floorAgrees.length} endpoints)`
        : result.floorAgrees.filter((c) => !c.ok).map((c) => `${c.name} MISMATCH: ${c.detail}`).join("; ")
    }`,
    `CPU in cores: store-analytics ${fixed(sa.cpuCores, 2)}, cash-register ${fixed(cpu.cashRegisterCores, 2)}, ` +
    `floor ${fixed(cpu.floorCores, 2)}, ` +
    `PostgreSQL ${fixed(cpu.postgresCores, 2)}, load generator ${fixed(cpu.benchCores, 2)}; ` +
    `other processes ${fixed(cpu.otherBusy * 100)}% of the machine`,
    "",
    `analytics targets: ${targets.map((t) => `${t.text} ${t.met ? "ok" : "MISSED"}`).join(" | ")}`
  ]
  return lines.join("\n")
}
