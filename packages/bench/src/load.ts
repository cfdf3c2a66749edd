/**
 * Drives `POST /purchases` with autocannon: `connections` keep-alive connections, each sending its
 * next purchase as soon as the previous answer arrives, for `seconds`.
 *
 * The end is a drain rather than a cut: when the time is up every connection finishes the request
 * it has in flight and sends no more. (autocannon's own end destroys the sockets with up to one
 * request per connection in flight; the server may still commit those, and then the database would
 * hold purchases nobody counted.) So every purchase the server stored was answered and counted.
 */
import autocannon from "autocannon"
import type { PurchaseBody } from "./requests.js"

export interface LoadResult {
  /** From the start of the run to the last answer, in seconds. */
  readonly seconds: number
  readonly sent: number
  readonly answered: number
  readonly created: number
  /** Answers other than 201, by status. */
  readonly otherStatuses: Record<string, number>
  /** Connection errors, including timeouts. */
  readonly connectionErrors: number
  readonly timeouts: number
  /** Every non-201 answer, connection error and timeout. */
  readonly errors: number
  /** autocannon's latency histogram (all answers), in ms, as autocannon records it (whole ms). */
  readonly latency: {
    readonly p50: number
    readonly p90: number
    readonly p99: number
    readonly max: number
    readonly mean: number
  }
  /** Whether every connection finished its last request before autocannon's hard stop. */
  readonly drained: boolean
}

/** The fields of autocannon's `Client` the drain uses; not in its typings, so checked at run time. */
interface ClientCounters {
  reqsMade: number
  responseMax: number | undefined
}

const hasCounters = (client: object): client is ClientCounters =>
  "reqsMade" in client && typeof client.reqsMade === "number" && "responseMax" in client

/** How long after the deadline the connections may take to drain before autocannon cuts them. */
const DRAIN_SECONDS = 15

export const drive = (options: {
  readonly url: string
  readonly connections: number
  readonly seconds: number
  readonly next: () => PurchaseBody
  /** Sent with every request: `authorization: Bearer <secret>`. */
  readonly headers: Readonly<Record<string, string>>
  readonly timeoutSeconds?: number
}): Promise<LoadResult> =>
  new Promise((resolve, reject) => {
    const clients: Array<ClientCounters> = []
    let counterless = false
    let lastAnswerAt = 0
    const startedAt = performance.now()
    const drainTimer = setTimeout(() => {
      // each connection stops after the answer to the request it has in flight
      for (const client of clients) client.responseMax = Math.max(1, client.reqsMade)
    }, options.seconds * 1000)

    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        // autocannon's own end is only a backstop: the drain above ends the run
        duration: options.seconds + DRAIN_SECONDS,
        timeout: options.timeoutSeconds ?? 10,
        requests: [{
          method: "POST",
          path: "/purchases",
          headers: { ...options.headers, "content-type": "application/json" },
          setupRequest: (request) => ({ ...request, body: JSON.stringify(options.next()) })
        }],
        setupClient: (client) => {
          if (hasCounters(client)) clients.push(client)
          else counterless = true
        }
      },
      (error: unknown, result: autocannon.Result) => {
        clearTimeout(drainTimer)
        if (error !== null && error !== undefined) return reject(error)
        const statuses = Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) =>
          [code, count ?? 0] as const
        )
        const answered = statuses.reduce((sum, [, count]) => sum + count, 0)
        const created = statuses.find(([code]) => code === "201")?.[1] ?? 0
        const seconds = ((lastAnswerAt > 0 ? lastAnswerAt : performance.now()) - startedAt) / 1000
        resolve({
          seconds,
          sent: result.requests.sent,
          answered,
          created,
          otherStatuses: Object.fromEntries(statuses.filter(([code]) => code !== "201")),
          connectionErrors: result.errors,
          timeouts: result.timeouts,
          errors: answered - created + result.errors,
          latency: {
            p50: result.latency.p50,
            p90: result.latency.p90,
            p99: result.latency.p99,
            max: result.latency.max,
            mean: result.latency.mean
          },
          drained: clients.every((client) => client.responseMax !== undefined) &&
            result.duration < options.seconds + DRAIN_SECONDS
        })
      }
    )
    instance.on("response", () => (lastAnswerAt = performance.now()))
    if (counterless) {
      clearTimeout(drainTimer)
      instance.stop()
      return reject(new Error("this autocannon's Client has no reqsMade/responseMax: the drain cannot work"))
    }
  })
