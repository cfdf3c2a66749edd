/** Single requests to the services, timed, over keep-alive connections. */
import { Agent, request } from "node:http"

export interface Answer {
  /** Undefined when the request failed before an answer (connection error, timeout). */
  readonly status: number | undefined
  readonly body: string
  /** From sending to the end of the answer, in ms. */
  readonly ms: number
  /** performance.now() at the end of the answer. */
  readonly at: number
}

// FIFO uses every socket in turn: none sits idle long enough for the server to close it (after 5 s)
// just as it is reused, a race that would count as a failed request
export const keepAliveAgent = (maxSockets = 16) => new Agent({ keepAlive: true, maxSockets, scheduling: "fifo" })

/** Headers sent with a request: `authorization: Bearer <secret>` of the bench's key. */
export type Headers = Readonly<Record<string, string>>

export const send = (
  agent: Agent,
  url: string,
  options: {
    readonly method?: "GET" | "POST"
    readonly body?: string
    readonly timeoutMs?: number
    readonly headers?: Headers
  } = {}
): Promise<Answer> =>
  new Promise((resolve) => {
    const began = performance.now()
    const failed = () => {
      const at = performance.now()
      resolve({ status: undefined, body: "", ms: at - began, at })
    }
    const req = request(url, {
      agent,
      method: options.method ?? "GET",
      timeout: options.timeoutMs ?? 10_000,
      headers: { ...options.headers, ...(options.body === undefined ? {} : { "content-type": "application/json" }) }
    }, (res) => {
      let body = ""
      res.setEncoding("utf8")
      res.on("data", (chunk: string) => (body += chunk))
      res.on("end", () => {
        const at = performance.now()
        resolve({ status: res.statusCode, body, ms: at - began, at })
      })
      res.on("error", failed)
    })
    req.on("timeout", () => req.destroy())
    req.on("error", failed)
    req.end(options.body)
  })

/** GET `url` and its JSON body; throws unless the answer is 200. */
export const getJson = async <A>(agent: Agent, url: string, headers: Headers): Promise<A> => {
  const answer = await send(agent, url, { headers })
  if (answer.status !== 200) {
    throw new Error(`GET ${url} answered ${answer.status ?? "nothing"}: ${answer.body.slice(0, 300)}`)
  }
  return JSON.parse(answer.body) as A
}

export const postJson = (agent: Agent, url: string, body: unknown, headers: Headers) =>
  send(agent, url, { method: "POST", body: JSON.stringify(body), headers })
