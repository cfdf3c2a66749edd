import { HttpClient, HttpClientError, type HttpClientRequest, HttpClientResponse } from "@effect/platform"
import { Effect, Layer } from "effect"

/** What the stub answers a POST /purchases with, in turn; 201 once the script is used up. */
export type Reply =
  | "refused"
  | "reset"
  | { readonly status: number; readonly headers?: Record<string, string>; readonly body?: unknown }

export interface Sent {
  readonly method: string
  readonly path: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: unknown
}

const json = (request: HttpClientRequest.HttpClientRequest, status: number, body: unknown, headers = {}) =>
  HttpClientResponse.fromWeb(
    request,
    new Response(body === undefined ? null : JSON.stringify(body), {
      status,
      headers: { "content-type": "application/json", ...headers }
    })
  )

const transportError = (request: HttpClientRequest.HttpClientRequest, code: string) =>
  new HttpClientError.RequestError({
    request,
    reason: "Transport",
    cause: new TypeError("fetch failed", { cause: Object.assign(new Error(code), { code }) })
  })

const decodeBody = (request: HttpClientRequest.HttpClientRequest) =>
  request.body._tag === "Uint8Array" ? JSON.parse(new TextDecoder().decode(request.body.body)) : undefined

export const branches = [
  { id: 1, code: "SMKT001", name: "Centro" },
  { id: 2, code: "SMKT002", name: "Norte" }
]

export const products = [
  { id: 1, product_name: "milk", unit_price: 1.5 },
  { id: 2, product_name: "bread", unit_price: 2 },
  { id: 3, product_name: "eggs", unit_price: 3 }
]

let nextId = 1

/** The purchase the Cash Register would store for a request body. */
const stored = (body: { branch_id: number; user_id: string; items: ReadonlyArray<{ product_id: number }> }) => {
  const items = body.items.map(({ product_id }) => {
    const product = products.find((p) => p.id === product_id)!
    return { product_id, product_name: product.product_name, quantity: 1, unit_price: product.unit_price }
  })
  return {
    id: nextId++,
    branch_id: body.branch_id,
    user_id: body.user_id,
    timestamp: new Date(0).toISOString(),
    total_amount: items.reduce((sum, item) => sum + item.unit_price * 100, 0) / 100,
    items
  }
}

/**
 * An HttpClient that plays the Cash Register without a network: the catalogue above, and the
 * scripted replies to POST /purchases (each answer waits for `hold`, when given). Every request it
 * gets is recorded in `sent`.
 */
export const stubCashRegister = (script: Array<Reply>, options: { readonly hold?: Effect.Effect<void> } = {}) => {
  const sent: Array<Sent> = []
  const client = HttpClient.make((request, url) =>
    Effect.suspend(() => {
      const body = decodeBody(request)
      sent.push({ method: request.method, path: url.pathname, headers: request.headers, body })
      if (request.method === "GET" && url.pathname === "/branches") return Effect.succeed(json(request, 200, branches))
      if (request.method === "GET" && url.pathname === "/products") return Effect.succeed(json(request, 200, products))
      const reply = script.shift() ?? { status: 201 }
      if (reply === "refused") return Effect.fail(transportError(request, "ECONNREFUSED"))
      if (reply === "reset") return Effect.fail(transportError(request, "UND_ERR_SOCKET"))
      const answer = Effect.sync(() =>
        json(request, reply.status, reply.status === 201 ? stored(body) : reply.body, reply.headers)
      )
      return options.hold === undefined ? answer : Effect.zipRight(options.hold, answer)
    })
  )
  return { sent, layer: Layer.succeed(HttpClient.HttpClient, client) }
}
