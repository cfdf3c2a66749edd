/**
 * Before the load, a few requests to each server check that it takes and refuses the same
 * purchases with the same statuses, and answers a purchase with the same JSON: the floor must be a
 * fair stand-in for iCash, not a server that does less. That includes the API keys: no key, a
 * wrong one, and a register key of another branch are refused alike.
 */
import { type ApiKey, bearer } from "./database.js"
import type { Catalogue } from "./requests.js"

/** The keys the probes use: an admin key, and a register key of the catalogue's first branch. */
export interface ProbeKeys {
  readonly admin: ApiKey
  readonly register: ApiKey
}

interface Probe {
  readonly name: string
  readonly body: string
  readonly status: number
  /** The request's headers besides content-type: the admin key's unless given. */
  readonly headers?: Readonly<Record<string, string>>
}

/** A secret of the right shape that is not the key's own (43 characters after the id). */
const wrongSecret = (id: string) => `icash_${id}_${"A".repeat(43)}`

const USER = "01e1e159-8045-43c2-88dd-5682b18bd680"

const probes = (catalogue: Catalogue, keys: ProbeKeys): ReadonlyArray<Probe> => {
  const branch = catalogue.branches[0]!
  const other = catalogue.branches[1]
  const [p1, p2] = [catalogue.products[0]!, catalogue.products[1] ?? catalogue.products[0]!]
  const missing = Math.max(...catalogue.products, ...catalogue.branches) + 1000
  const json = (value: unknown) => JSON.stringify(value)
  return [
    {
      name: "valid",
      body: json({ branch_id: branch, user_id: USER, items: [{ product_id: p2 }, { product_id: p1, quantity: 1 }] }),
      status: 201
    },
    {
      name: "upper-case user_id",
      body: json({ branch_id: branch, user_id: USER.toUpperCase(), items: [{ product_id: p1 }] }),
      status: 201
    },
    { name: "new customer", body: json({ branch_id: branch, items: [{ product_id: p1 }] }), status: 201 },
    { name: "malformed JSON", body: "{\"branch_id\": 1,", status: 400 },
    { name: "not an object", body: "[]", status: 400 },
    { name: "empty items", body: json({ branch_id: branch, user_id: USER, items: [] }), status: 400 },
    {
      name: "quantity 2",
      body: json({ branch_id: branch, user_id: USER, items: [{ product_id: p1, quantity: 2 }] }),
      status: 400
    },
    {
      name: "client total",
      body: json({ branch_id: branch, user_id: USER, items: [{ product_id: p1 }], total_amount: 1 }),
      status: 400
    },
    {
      name: "item extra field",
      body: json({ branch_id: branch, items: [{ product_id: p1, unit_price: 0 }] }),
      status: 400
    },
    {
      name: "UUID v1",
      body: json({ branch_id: branch, user_id: "01e1e159-8045-13c2-88dd-5682b18bd680", items: [{ product_id: p1 }] }),
      status: 400
    },
    {
      name: "user_id null",
      body: json({ branch_id: branch, user_id: null, items: [{ product_id: p1 }] }),
      status: 400
    },
    { name: "branch 0", body: json({ branch_id: 0, items: [{ product_id: p1 }] }), status: 400 },
    { name: "branch beyond int4", body: json({ branch_id: 2 ** 31, items: [{ product_id: p1 }] }), status: 400 },
    { name: "fractional product", body: json({ branch_id: branch, items: [{ product_id: 1.5 }] }), status: 400 },
    { name: "unknown branch", body: json({ branch_id: missing, items: [{ product_id: p1 }] }), status: 422 },
    { name: "unknown product", body: json({ branch_id: branch, items: [{ product_id: missing }] }), status: 422 },
    {
      name: "duplicate product",
      body: json({ branch_id: branch, items: [{ product_id: p1 }, { product_id: p1 }] }),
      status: 422
    },
    {
      name: "no Authorization header",
      body: json({ branch_id: branch, items: [{ product_id: p1 }] }),
      status: 401,
      headers: {}
    },
    {
      name: "not a bearer token",
      body: json({ branch_id: branch, items: [{ product_id: p1 }] }),
      status: 401,
      headers: { authorization: "Basic YmVuY2g6YmVuY2g=" }
    },
    {
      name: "wrong secret",
      body: json({ branch_id: branch, items: [{ product_id: p1 }] }),
      status: 401,
      headers: { authorization: `Bearer ${wrongSecret(keys.admin.id)}` }
    },
    {
      name: "unknown key",
      body: json({ branch_id: branch, items: [{ product_id: p1 }] }),
      status: 401,
      headers: { authorization: `Bearer ${wrongSecret("000000000000")}` }
    },
    { name: "no key, malformed JSON", body: "{\"branch_id\": 1,", status: 401, headers: {} },
    {
      name: "register key, own branch",
      body: json({ branch_id: branch, user_id: USER, items: [{ product_id: p1 }] }),
      status: 201,
      headers: bearer(keys.register)
    },
    {
      name: "register key, unknown branch",
      body: json({ branch_id: missing, items: [{ product_id: p1 }] }),
      status: 403,
      headers: bearer(keys.register)
    },
    ...(other === undefined ? [] : [
      {
        name: "register key, other branch",
        body: json({ branch_id: other, items: [{ product_id: p1 }] }),
        status: 403,
        headers: bearer(keys.register)
      },
      {
        name: "register key, other branch, duplicate product",
        body: json({ branch_id: other, items: [{ product_id: p1 }, { product_id: p1 }] }),
        status: 403,
        headers: bearer(keys.register)
      }
    ])
  ]
}

const post = async (baseUrl: string, body: string, headers: Readonly<Record<string, string>>) => {
  const response = await fetch(`${baseUrl}/purchases`, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body
  })
  return { status: response.status, body: await response.json() as unknown }
}

export interface ProbeReport {
  /** Probes answered with another status than iCash's contract says. */
  readonly failures: ReadonlyArray<string>
  /** The answer to the "valid" probe without its id and timestamp, to compare between servers. */
  readonly sample: string
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** Problems with a 201 body: its fields, lower-case user, sorted items, exact total. */
const purchaseProblems = (body: unknown): ReadonlyArray<string> => {
  if (!isRecord(body)) return ["not an object"]
  const problems: Array<string> = []
  const keys = Object.keys(body).sort().join(",")
  if (keys !== "branch_id,id,items,timestamp,total_amount,user_id") problems.push(`fields ${keys}`)
  if (typeof body.user_id !== "string" || body.user_id !== body.user_id.toLowerCase()) {
    problems.push("user_id not lower case")
  }
  if (typeof body.timestamp !== "string" || Number.isNaN(Date.parse(body.timestamp))) problems.push("timestamp")
  const items = Array.isArray(body.items) ? body.items.filter(isRecord) : []
  const cents = items.reduce((sum, item) => sum + Math.round(Number(item.unit_price) * 100), 0)
  if (Math.round(Number(body.total_amount) * 100) !== cents) problems.push("total is not the sum of the items")
  const ids = items.map((item) => Number(item.product_id))
  if (ids.join() !== [...ids].sort((a, b) => a - b).join()) problems.push("items not by product id")
  for (const item of items) {
    const itemKeys = Object.keys(item).sort().join(",")
    if (itemKeys !== "product_id,product_name,quantity,unit_price") problems.push(`item fields ${itemKeys}`)
  }
  return problems
}

export const runProbes = async (baseUrl: string, catalogue: Catalogue, keys: ProbeKeys): Promise<ProbeReport> => {
  const failures: Array<string> = []
  let sample = ""
  for (const probe of probes(catalogue, keys)) {
    const answer = await post(baseUrl, probe.body, probe.headers ?? bearer(keys.admin))
    if (answer.status !== probe.status) {
      failures.push(`${probe.name}: ${answer.status} instead of ${probe.status} (${JSON.stringify(answer.body)})`)
    } else if (answer.status === 201) {
      for (const problem of purchaseProblems(answer.body)) failures.push(`${probe.name}: ${problem}`)
      if (probe.name === "valid" && isRecord(answer.body)) {
        const { id: _id, timestamp: _timestamp, ...rest } = answer.body
        sample = JSON.stringify(rest)
      }
    } else if (!isRecord(answer.body) || typeof answer.body._tag !== "string") {
      failures.push(`${probe.name}: the error body has no _tag`)
    }
  }
  return { failures, sample }
}

/** Whether `GET /branches` and `GET /products` list exactly the catalogue's ids. */
export const catalogueServed = async (baseUrl: string, catalogue: Catalogue, key: ApiKey) => {
  const ids = async (path: string) => {
    const response = await fetch(`${baseUrl}${path}`, { headers: bearer(key) })
    if (response.status !== 200) return `answered ${response.status}`
    return ((await response.json()) as ReadonlyArray<{ id: number }>).map((row) => row.id).join()
  }
  return (await ids("/branches")) === catalogue.branches.join() &&
    (await ids("/products")) === catalogue.products.join()
}
