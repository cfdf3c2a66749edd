/**
 * A client of `GET /analytics/stream` (server-sent events), and the lag of the live figures: how
 * long after a purchase's 201 the first event that counts it reaches the client.
 *
 * While the writer adds purchases, a `purchases` total cannot tell whether it includes one given
 * purchase. So each timed purchase is the first of a brand-new customer, and the writer only uses
 * customers who have bought before: `unique_customers` then grows by exactly one per timed purchase,
 * and the first event with `unique_customers >= before + k` is the first that counts the k-th.
 */
import { randomUUID } from "node:crypto"
import { type ClientRequest, request } from "node:http"
import { sleep } from "../processes.js"
import type { Catalogue } from "../requests.js"
import { type Answer, getJson, type Headers, keepAliveAgent, postJson } from "./http.js"
import { type Latency, summarizeLatencies } from "./stats.js"

export interface SseEvent {
  readonly id: string | undefined
  readonly event: string | undefined
  readonly data: string
}

/**
 * The complete events at the start of `buffer` and what is left of it (an event not yet complete).
 * Comment lines and blocks without data (such as `retry:`) are skipped.
 */
export const parseSse = (buffer: string): { readonly events: ReadonlyArray<SseEvent>; readonly rest: string } => {
  const blocks = buffer.replace(/\r\n?/g, "\n").split("\n\n")
  const rest = blocks.pop() ?? ""
  const events: Array<SseEvent> = []
  for (const block of blocks) {
    let id: string | undefined
    let event: string | undefined
    const data: Array<string> = []
    for (const line of block.split("\n")) {
      if (line === "" || line.startsWith(":")) continue
      const colon = line.indexOf(":")
      const field = colon < 0 ? line : line.slice(0, colon)
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "")
      if (field === "data") data.push(value)
      else if (field === "id") id = value
      else if (field === "event") event = value
    }
    if (data.length > 0) events.push({ id, event, data: data.join("\n") })
  }
  return { events, rest }
}

/** The fields of LiveFigures the bench reads. */
export interface Figures {
  readonly version: number
  readonly unique_customers: number
  readonly loyal_customers: number
  readonly purchases: number
  readonly revenue: number
}

export interface FiguresEvent {
  /** performance.now() when the event had arrived whole. */
  readonly at: number
  readonly figures: Figures
}

export interface StreamClient {
  readonly events: ReadonlyArray<FiguresEvent>
  /** The first event (received so far or later) that satisfies `test`, or undefined after `timeoutMs`. */
  readonly first: (test: (figures: Figures) => boolean, timeoutMs: number) => Promise<FiguresEvent | undefined>
  readonly close: () => void
}

export const openStream = (url: string, headers: Headers): Promise<StreamClient> =>
  new Promise((resolve, reject) => {
    const events: Array<FiguresEvent> = []
    const waiters = new Set<() => void>()
    let req: ClientRequest | undefined = undefined
    const client: StreamClient = {
      events,
      first: (test, timeoutMs) =>
        new Promise((done) => {
          const found = () => events.find((e) => test(e.figures))
          const now = found()
          if (now !== undefined) return done(now)
          const check = () => {
            const event = found()
            if (event === undefined) return
            waiters.delete(check)
            clearTimeout(timer)
            done(event)
          }
          const timer = setTimeout(() => {
            waiters.delete(check)
            done(undefined)
          }, timeoutMs)
          waiters.add(check)
        }),
      close: () => req?.destroy()
    }
    req = request(url, { headers: { ...headers, accept: "text/event-stream" } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume()
        return reject(new Error(`GET ${url} answered ${res.statusCode}`))
      }
      resolve(client)
      let buffer = ""
      res.setEncoding("utf8")
      res.on("data", (chunk: string) => {
        const parsed = parseSse(buffer + chunk)
        buffer = parsed.rest
        const at = performance.now()
        for (const event of parsed.events) events.push({ at, figures: JSON.parse(event.data) as Figures })
        if (parsed.events.length > 0) { for (const waiter of [...waiters]) waiter() }
      })
      res.on("error", () => undefined)
    })
    req.on("error", reject)
    req.end()
  })

export interface StreamLagResult {
  readonly samples: number
  /** Per timed purchase: ms from its 201 to the first event counting it (0 if that came first); null if none in time. */
  readonly lagsMs: ReadonlyArray<number | null>
  readonly lag: Latency
  readonly notSeen: number
  /** Timed purchases not answered 201. */
  readonly postErrors: number
  /** Timed purchases that GET /analytics/customers, sent right after the 201, counted. */
  readonly readYourWrites: { readonly checked: number; readonly counted: number }
}

/** How long to wait for the event that counts a purchase before giving it up. */
const SEEN_WITHIN_MS = 5000

export const measureStreamLag = async (options: {
  readonly analyticsUrl: string
  readonly registerUrl: string
  readonly catalogue: Catalogue
  readonly samples: number
  readonly random: () => number
  readonly headers: Headers
}): Promise<StreamLagResult> => {
  const { headers } = options
  const agent = keepAliveAgent(4)
  const stream = await openStream(`${options.analyticsUrl}/analytics/stream`, headers)
  try {
    const uniqueCustomers = async () =>
      (await getJson<{ unique_customers: number }>(agent, `${options.analyticsUrl}/analytics/customers`, headers))
        .unique_customers
    const before = await uniqueCustomers()
    const lagsMs: Array<number | null> = []
    let created = 0
    let postErrors = 0
    let counted = 0
    const { branches, products } = options.catalogue
    for (let k = 0; k < options.samples; k++) {
      const answer: Answer = await postJson(agent, `${options.registerUrl}/purchases`, {
        branch_id: branches[Math.floor(options.random() * branches.length)]!,
        user_id: randomUUID(),
        items: [{ product_id: products[Math.floor(options.random() * products.length)]! }]
      }, headers)
      if (answer.status !== 201) {
        postErrors++
        continue
      }
      created++
      if ((await uniqueCustomers()) >= before + created) counted++
      const target = before + created
      const seen = await stream.first((figures) => figures.unique_customers >= target, SEEN_WITHIN_MS)
      lagsMs.push(seen === undefined ? null : Math.max(0, seen.at - answer.at))
      await sleep(100 + options.random() * 300)
    }
    const seenLags = lagsMs.filter((lag): lag is number => lag !== null)
    return {
      samples: options.samples,
      lagsMs,
      lag: summarizeLatencies(seenLags),
      notSeen: lagsMs.length - seenLags.length,
      postErrors,
      readYourWrites: { checked: created, counted }
    }
  } finally {
    stream.close()
    agent.destroy()
  }
}
