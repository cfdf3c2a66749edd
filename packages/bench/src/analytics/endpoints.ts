/**
 * The analytics endpoints under load: each one alone, after an unmeasured warm-up, twice: saturated
 * (autocannon at a few keep-alive connections, each sending its next request as soon as the
 * previous answer arrived: how many answers a second the service can give) and paced (requests
 * sent at a steady rate, well below that: how long an answer takes while the service is not
 * queueing requests). At saturation the latency is mostly waiting in line: by Little's law its
 * median is about connections / answers per second. Latencies are taken from every answer's own
 * time, to the microsecond.
 */
import autocannon from "autocannon"
import type { Agent } from "node:http"
import { getJson, type Headers, keepAliveAgent, send } from "./http.js"
import { startPaced } from "./paced.js"
import { type Latency, summarizeLatencies } from "./stats.js"

export interface Endpoint {
  readonly name: string
  readonly path: string
}

/** How deep into the loyal customers the deep page starts (rows). */
export const LOYAL_DEPTH = 5000

/** What is measured: every analytics endpoint, the loyal customers at the top and deep in, sales four ways. */
export const endpointsToMeasure = (
  branch: number,
  deep: { readonly cursor: string; readonly rows: number } | undefined
): ReadonlyArray<Endpoint> => [
  { name: "customers", path: "/analytics/customers" },
  { name: "loyal-customers, first page", path: "/analytics/loyal-customers?min_purchases=3&limit=100" },
  ...(deep === undefined ? [] : [{
    name: `loyal-customers, page at row ${deep.rows}`,
    path: `/analytics/loyal-customers?min_purchases=3&limit=100&cursor=${encodeURIComponent(deep.cursor)}`
  }]),
  { name: "top-products", path: "/analytics/top-products?limit=10" },
  { name: "sales, hours of 24 h, chain", path: "/analytics/sales?bucket=hour" },
  { name: `sales, hours of 24 h, branch ${branch}`, path: `/analytics/sales?bucket=hour&branch_id=${branch}` },
  { name: "sales, days of 30 d, chain", path: "/analytics/sales?bucket=day&tz=Europe%2FParis" },
  {
    name: `sales, days of 30 d, branch ${branch}`,
    path: `/analytics/sales?bucket=day&tz=Europe%2FParis&branch_id=${branch}`
  }
]

/** The cursor `depth` rows into the loyal customers (or as deep as they go), following next_cursor. */
export const deepCursor = async (agent: Agent, baseUrl: string, depth: number, headers: Headers) => {
  let cursor: string | undefined
  let rows = 0
  while (rows < depth) {
    const limit = Math.min(1000, depth - rows)
    const page = await getJson<{ customers: ReadonlyArray<unknown>; next_cursor: string | null }>(
      agent,
      `${baseUrl}/analytics/loyal-customers?min_purchases=3&limit=${limit}${
        cursor === undefined ? "" : `&cursor=${encodeURIComponent(cursor)}`
      }`,
      headers
    )
    if (page.next_cursor === null) break
    rows += page.customers.length
    cursor = page.next_cursor
  }
  return cursor === undefined ? undefined : { cursor, rows }
}

/** One run's measured stretch, saturated or paced. */
export interface LoadFigures {
  /** Requests a second asked for; undefined when saturated (as many as answered). */
  readonly rate: number | undefined
  readonly seconds: number
  readonly answered: number
  readonly requestsPerSecond: number
  readonly latency: Latency
  /** Answers other than 200, by status. */
  readonly otherStatuses: Record<string, number>
  readonly connectionErrors: number
  readonly timeouts: number
  readonly errors: number
}

export interface EndpointResult {
  readonly name: string
  readonly path: string
  readonly saturated: LoadFigures
  readonly paced: LoadFigures
  /** The same requests at the same rate on the floor, right after (see floor/analytics.ts). */
  readonly floorPaced: LoadFigures
}

/** As fast as answered, by autocannon; its failure counts cover the warm-up too. */
const saturate = (url: string, headers: Headers, connections: number, seconds: number, onAnswer: OnAnswer) =>
  new Promise<Failures>((resolve, reject) => {
    const instance = autocannon(
      { url, headers: { ...headers }, connections, duration: seconds, timeout: 10 },
      (error, result) =>
        error !== null && error !== undefined
          ? reject(error)
          : resolve({ connectionErrors: result.errors, timeouts: result.timeouts })
    )
    instance.on("response", (_client, status: number, _bytes, ms: number) => onAnswer(status, ms))
  })

/**
 * At `rate` requests a second over keep-alive connections (see `startPaced`). A request not sent
 * because too many were waiting counts as one the service did not answer in time.
 */
const pace = async (url: string, headers: Headers, rate: number, seconds: number, onAnswer: OnAnswer) => {
  const agent = keepAliveAgent(MAX_PACED_IN_FLIGHT)
  let unanswered = 0
  const paced = startPaced({
    rate,
    maxInFlight: MAX_PACED_IN_FLIGHT,
    send: () => send(agent, url, { headers }),
    onAnswer: (answer) => {
      if (answer.status === undefined) unanswered++
      else onAnswer(answer.status, answer.ms)
    }
  })
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000))
  const { skipped } = await paced.stop()
  agent.destroy()
  return { connectionErrors: unanswered + skipped, timeouts: 0 } satisfies Failures
}

interface Failures {
  readonly connectionErrors: number
  readonly timeouts: number
}

type OnAnswer = (status: number, ms: number) => void

/** More requests than that unanswered at once, and the paced rate is more than the service can answer. */
const MAX_PACED_IN_FLIGHT = 16

/** The pause after each endpoint: the requests autocannon cut at its end are cancelled on idle connections. */
const PAUSE_MS = 500

/**
 * One run of warm-up + measured seconds, so that no connection is cut between them; only the
 * answers that arrive after the warm-up count. With `rate`, requests go out at that many a second
 * (see `startPaced`); without, as fast as they are answered, by autocannon.
 */
const measureLoad = async (
  url: string,
  options: { readonly connections: number; readonly seconds: number; readonly warmup: number },
  headers: Headers,
  rate: number | undefined
): Promise<LoadFigures> => {
  const latencies: Array<number> = []
  const otherStatuses: Record<string, number> = {}
  const measuredFrom = performance.now() + options.warmup * 1000
  const onAnswer: OnAnswer = (status, ms) => {
    if (performance.now() < measuredFrom) return
    latencies.push(ms)
    if (status !== 200) otherStatuses[status] = (otherStatuses[status] ?? 0) + 1
  }
  const seconds = options.warmup + options.seconds
  const failures = rate === undefined
    ? await saturate(url, headers, options.connections, seconds, onAnswer)
    : await pace(url, headers, rate, seconds, onAnswer)
  const measured = (performance.now() - measuredFrom) / 1000
  await new Promise((resolve) => setTimeout(resolve, PAUSE_MS))
  const others = Object.values(otherStatuses).reduce((a, b) => a + b, 0)
  return {
    rate,
    seconds: measured,
    answered: latencies.length,
    requestsPerSecond: latencies.length / measured,
    latency: summarizeLatencies(latencies),
    otherStatuses,
    ...failures,
    errors: others + failures.connectionErrors
  }
}

/**
 * An endpoint saturated, then paced at `options.rate` requests a second; then the floor's answer to
 * the same request paced at the same rate, under the same writes: what this machine allows.
 */
export const measureEndpoint = async (
  urls: { readonly icash: string; readonly floor: string },
  endpoint: Endpoint,
  options: {
    readonly connections: number
    readonly seconds: number
    readonly warmup: number
    readonly rate: number
  },
  headers: Headers
): Promise<EndpointResult> => {
  const url = `${urls.icash}${endpoint.path}`
  const saturated = await measureLoad(url, options, headers, undefined)
  const paced = await measureLoad(url, options, headers, options.rate)
  const floorPaced = await measureLoad(`${urls.floor}${endpoint.path}`, options, headers, options.rate)
  return { name: endpoint.name, path: endpoint.path, saturated, paced, floorPaced }
}
