/**
 * The analytics endpoints under load: each one alone, after an unmeasured warm-up, twice: saturated
 * (autocannon at a few keep-alive connections, each sending its next request as soon as the
 * previous answer arrived: how many answers a second the service can give) and paced (requests
 * sent at a steady rate, well below that: how long an answer takes while the service is not
 * queueing requests), in turns with the floor, a hand-written server answering the same request.
 * At saturation the latency is mostly waiting in line: by Little's law its median is about
 * connections / answers per second. Latencies are taken from every answer's own time, to the
 * microsecond.
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
  /** The same requests at the same rate on the floor, in turns with iCash's paced ones (see floor/analytics.ts). */
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
 * At `rate` requests a second over keep-alive connections (see `startPaced`), for `seconds`. A
 * request not sent because too many were waiting counts as one the service did not answer in time.
 */
const pace = async (
  target: { readonly url: string; readonly agent: Agent },
  headers: Headers,
  rate: number,
  seconds: number,
  onAnswer: OnAnswer
) => {
  let unanswered = 0
  const paced = startPaced({
    rate,
    maxInFlight: MAX_PACED_IN_FLIGHT,
    send: () => send(target.agent, target.url, { headers }),
    onAnswer: (answer) => {
      if (answer.status === undefined) unanswered++
      else onAnswer(answer.status, answer.ms)
    }
  })
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000))
  const { skipped } = await paced.stop()
  return { connectionErrors: unanswered + skipped, timeouts: 0 } satisfies Failures
}

interface Failures {
  readonly connectionErrors: number
  readonly timeouts: number
}

type OnAnswer = (status: number, ms: number) => void

/** More requests than that unanswered at once, and the paced rate is more than the service can answer. */
export const MAX_PACED_IN_FLIGHT = 16

/** The pause after each endpoint: the requests autocannon cut at its end are cancelled on idle connections. */
const PAUSE_MS = 500

/** Answers as they come: latencies of those after `measuredFrom`, the statuses other than 200. */
const tally = (measuredFrom: number) => {
  const latencies: Array<number> = []
  const otherStatuses: Record<string, number> = {}
  const onAnswer: OnAnswer = (status, ms) => {
    if (performance.now() < measuredFrom) return
    latencies.push(ms)
    if (status !== 200) otherStatuses[status] = (otherStatuses[status] ?? 0) + 1
  }
  const figures = (rate: number | undefined, seconds: number, failures: Failures): LoadFigures => {
    const others = Object.values(otherStatuses).reduce((a, b) => a + b, 0)
    return {
      rate,
      seconds,
      answered: latencies.length,
      requestsPerSecond: latencies.length / seconds,
      latency: summarizeLatencies(latencies),
      otherStatuses,
      ...failures,
      errors: others + failures.connectionErrors
    }
  }
  return { onAnswer, figures }
}

/**
 * Warm-up + measured seconds as fast as answered, by autocannon, in one run so that no connection
 * is cut between them; only the answers after the warm-up count.
 */
const measureSaturated = async (
  url: string,
  options: { readonly connections: number; readonly seconds: number; readonly warmup: number },
  headers: Headers
): Promise<LoadFigures> => {
  const measuredFrom = performance.now() + options.warmup * 1000
  const { figures, onAnswer } = tally(measuredFrom)
  const failures = await saturate(url, headers, options.connections, options.warmup + options.seconds, onAnswer)
  const measured = (performance.now() - measuredFrom) / 1000
  await new Promise((resolve) => setTimeout(resolve, PAUSE_MS))
  return figures(undefined, measured, failures)
}

/** How many turns iCash and the floor take in the paced measurement. */
const PACED_SLICES = 5

/**
 * iCash and the floor paced at `rate`, taking turns in slices of a fifth of the measured seconds
 * each (after a warm-up of each), so that both meet the same moments of a noisy machine: a stretch
 * of one after the other measured them minutes apart. Each keeps its connections across its slices.
 */
const measurePacedTurns = async (
  urls: { readonly icash: string; readonly floor: string },
  options: { readonly seconds: number; readonly warmup: number; readonly rate: number },
  headers: Headers
): Promise<{ readonly icash: LoadFigures; readonly floor: LoadFigures }> => {
  const targets = [urls.icash, urls.floor].map((url) => ({
    url,
    agent: keepAliveAgent(MAX_PACED_IN_FLIGHT),
    measured: 0,
    failures: { connectionErrors: 0, timeouts: 0 },
    tally: tally(0)
  }))
  try {
    const discard: OnAnswer = () => {}
    for (const target of targets) await pace(target, headers, options.rate, options.warmup, discard)
    for (let slice = 0; slice < PACED_SLICES; slice++) {
      for (const target of targets) {
        const began = performance.now()
        const failures = await pace(
          target,
          headers,
          options.rate,
          options.seconds / PACED_SLICES,
          target.tally.onAnswer
        )
        target.measured += (performance.now() - began) / 1000
        target.failures.connectionErrors += failures.connectionErrors
      }
    }
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS))
    const [icash, floor] = targets.map((t) => t.tally.figures(options.rate, t.measured, t.failures))
    return { icash: icash!, floor: floor! }
  } finally {
    for (const target of targets) target.agent.destroy()
  }
}

/**
 * An endpoint saturated, then paced at `options.rate` requests a second, taking turns with the
 * floor's answer to the same request at the same rate under the same writes: what this machine allows.
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
  const saturated = await measureSaturated(`${urls.icash}${endpoint.path}`, options, headers)
  const paced = await measurePacedTurns(
    { icash: `${urls.icash}${endpoint.path}`, floor: `${urls.floor}${endpoint.path}` },
    options,
    headers
  )
  return { name: endpoint.name, path: endpoint.path, saturated, paced: paced.icash, floorPaced: paced.floor }
}
