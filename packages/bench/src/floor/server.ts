/**
 * The floor: what a straightforward hand-written `POST /purchases` and `GET /analytics/*` cost on
 * this machine. Plain `node:http` + a `pg.Pool`, the same schema, the same validation and the same
 * answers as iCash, one transaction per purchase, one statement per analytics request (see
 * analytics.ts), no caching. `npm run bench` measures iCash against it.
 *
 * Standalone: `DATABASE_URL=postgres://… PORT=8100 node --import tsx packages/bench/src/floor/server.ts`
 * (the bench runs a plain-JS build of this file, see build.ts). Optional: HOST (default
 * 127.0.0.1), PG_POOL_MAX (default 10, as iCash).
 *
 * API keys as iCash checks them (see keys.ts): the keys not revoked are loaded at start; every
 * `POST /purchases` needs `Authorization: Bearer <secret>` of a register key of the purchase's
 * branch or of an admin key (401 without a valid key, 403 for another branch); `GET /analytics/*`
 * one of an analyst or an admin key. `GET /ready` needs none.
 */
import { randomUUID } from "node:crypto"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import pg from "pg"
import { answerAnalytics, isAnalyticsRoute } from "./analytics.js"
import {
  type Access,
  ACTIVE_KEYS_SQL,
  ANALYTICS_ROLES,
  checkKey,
  type Key,
  type KeyRow,
  keysById,
  otherBranch
} from "./keys.js"
import { parseCents, validatePurchase, type ValidPurchase } from "./validate.js"

const databaseUrl = process.env.DATABASE_URL ?? ""
if (databaseUrl === "") {
  console.error("floor: set DATABASE_URL to a migrated iCash database")
  process.exit(2)
}
const port = Number(process.env.PORT ?? "8100")
const host = process.env.HOST ?? "127.0.0.1"
const MAX_BODY_BYTES = 1024 * 1024

const pool = new pg.Pool({
  connectionString: databaseUrl,
  max: Number(process.env.PG_POOL_MAX ?? "10"),
  application_name: "icash-floor",
  connectionTimeoutMillis: 5000,
  // as iCash's connections (see its PgLive): no statement is compiled just in time
  onConnect: (client) => client.query("SET jit = off").then(() => {}, () => {})
})
// an idle client losing its connection must not take the process down; the next query reconnects
pool.on("error", (error) => console.error("floor: idle database connection failed:", error.message))

// the keys not revoked, once, before the server listens
const keys = keysById((await pool.query<KeyRow>(ACTIVE_KEYS_SQL)).rows)

const send = (res: ServerResponse, status: number, body: unknown) => {
  const json = JSON.stringify(body)
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(json) })
  res.end(json)
}

const readBody = (req: IncomingMessage) =>
  new Promise<string | undefined>((resolve, reject) => {
    const chunks: Array<Buffer> = []
    let size = 0
    req.on("data", (chunk: Buffer) => {
      size += chunk.length
      if (size <= MAX_BODY_BYTES) chunks.push(chunk)
    })
    req.on("end", () => resolve(size <= MAX_BODY_BYTES ? Buffer.concat(chunks).toString("utf8") : undefined))
    req.on("error", reject)
  })

interface ProductRow {
  readonly id: number
  readonly product_name: string
  readonly unit_price: string
}

/** 422 answers, decided inside the transaction. */
class Unprocessable {
  constructor(readonly body: Record<string, unknown>) {}
}

const formatCents = (cents: number) => `${Math.trunc(cents / 100)}.${String(cents % 100).padStart(2, "0")}`

/**
 * One transaction: BEGIN, look up the branch, look up the products' current prices, price the
 * purchase in integer cents, store customer + purchase + items, COMMIT. Five round trips.
 */
const storePurchase = async (purchase: ValidPurchase) => {
  const user_id = purchase.user_id ?? randomUUID()
  const client = await pool.connect()
  let broken: Error | undefined
  try {
    await client.query("BEGIN")
    try {
      const branch = await client.query("SELECT id FROM branches WHERE id = $1", [purchase.branch_id])
      if (branch.rowCount === 0) {
        throw new Unprocessable({
          _tag: "UnknownBranch",
          branch_id: purchase.branch_id,
          message: `branch ${purchase.branch_id} does not exist`
        })
      }
      const found = await client.query<ProductRow>(
        "SELECT id, product_name, unit_price::text AS unit_price FROM products WHERE id = ANY($1::integer[])",
        [purchase.product_ids]
      )
      const products = new Map(found.rows.map((row) => [row.id, row]))
      const unknown = purchase.product_ids.filter((id) => !products.has(id))
      if (unknown.length > 0) {
        throw new Unprocessable({
          _tag: "UnknownProducts",
          product_ids: unknown,
          message: `unknown products: ${unknown.join(", ")}`
        })
      }
      const items = purchase.product_ids
        .map((id) => {
          const product = products.get(id)!
          return { product_id: id, product_name: product.product_name, unit_price: parseCents(product.unit_price) }
        })
        .sort((a, b) => a.product_id - b.product_id)
      const total = items.reduce((sum, item) => sum + item.unit_price, 0)

      // the customer (created by its first purchase), the purchase and its items: one statement,
      // into the same tables (and their rollup triggers) as iCash's icash_store_group
      const stored = await client.query<{ id: string; timestamp: Date }>(
        `WITH customer AS (
           INSERT INTO customers (id) VALUES ($2) ON CONFLICT (id) DO NOTHING
         ), purchase AS (
           INSERT INTO purchases (supermarket_id, user_id, total_amount) VALUES ($1, $2, $3::numeric)
           RETURNING id, "timestamp"
         ), items AS (
           INSERT INTO purchase_items (purchase_id, product_id, quantity, unit_price)
           SELECT purchase.id, item.product_id, 1, item.unit_price
           FROM purchase, unnest($4::integer[], $5::numeric[]) AS item (product_id, unit_price)
         )
         SELECT id, "timestamp" FROM purchase`,
        [
          purchase.branch_id,
          user_id,
          formatCents(total),
          items.map((item) => item.product_id),
          items.map((item) => formatCents(item.unit_price))
        ]
      )
      const row = stored.rows[0]!
      await client.query("COMMIT")
      return {
        id: Number(row.id),
        branch_id: purchase.branch_id,
        user_id,
        timestamp: row.timestamp.toISOString(),
        total_amount: total / 100,
        items: items.map((item) => ({
          product_id: item.product_id,
          product_name: item.product_name,
          quantity: 1,
          unit_price: item.unit_price / 100
        }))
      }
    } catch (error) {
      await client.query("ROLLBACK").catch((rollbackError: Error) => (broken = rollbackError))
      throw error
    }
  } catch (error) {
    if (!(error instanceof Unprocessable) && error instanceof Error) broken ??= error
    throw error
  } finally {
    // a client whose connection failed is discarded rather than returned to the pool
    client.release(broken)
  }
}

const refuse = (res: ServerResponse, access: Exclude<Access, { _tag: "Allowed" }>) =>
  send(res, access._tag === "Unauthorized" ? 401 : 403, { _tag: access._tag, message: access.message })

const createPurchase = async (req: IncomingMessage, res: ServerResponse, key: Key) => {
  const text = await readBody(req)
  if (text === undefined) return send(res, 413, { _tag: "PayloadTooLarge", message: "request body is too large" })
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return send(res, 400, { _tag: "MalformedRequest", message: "request body is not valid JSON" })
  }
  const validation = validatePurchase(body)
  const foreign = validation._tag === "Invalid"
    ? undefined
    : otherBranch(key, validation._tag === "Valid" ? validation.purchase.branch_id : validation.branch_id)
  if (foreign !== undefined) return send(res, 403, { _tag: "Forbidden", message: foreign })
  switch (validation._tag) {
    case "Invalid":
      return send(res, 400, {
        _tag: "HttpApiDecodeError",
        message: validation.issues.join("; "),
        issues: validation.issues
      })
    case "Duplicates":
      return send(res, 422, {
        _tag: "DuplicateProducts",
        product_ids: validation.product_ids,
        message: `products listed more than once: ${validation.product_ids.join(", ")}`
      })
    case "Valid":
      try {
        return send(res, 201, await storePurchase(validation.purchase))
      } catch (error) {
        if (error instanceof Unprocessable) return send(res, 422, error.body)
        throw error
      }
  }
}

const ready = async (res: ServerResponse) => {
  try {
    await pool.query("SELECT 1")
    send(res, 200, { status: "ready", database: "ok" })
  } catch {
    send(res, 503, { _tag: "NotReady", message: "database unreachable" })
  }
}

const server = createServer((req, res) => {
  const path = (req.url ?? "/").split("?")[0] ?? "/"
  const purchase = req.method === "POST" && path === "/purchases"
  const analytics = req.method === "GET" && isAnalyticsRoute(path)
  const access = purchase
    ? checkKey(keys, req.headers.authorization)
    : analytics
    ? checkKey(keys, req.headers.authorization, ANALYTICS_ROLES)
    : undefined
  const handled = access !== undefined
    ? access._tag !== "Allowed"
      ? Promise.resolve(refuse(res, access))
      : purchase
      ? createPurchase(req, res, access.key)
      : answerAnalytics(pool, req, res, send)
    : req.method === "GET" && path === "/ready"
    ? ready(res)
    : Promise.resolve(send(res, 404, { _tag: "RouteNotFound", message: `no endpoint for ${req.method} ${req.url}` }))
  handled.catch((error: unknown) => {
    console.error("floor: request failed:", error)
    if (!res.headersSent) send(res, 500, { _tag: "InternalError", message: "something went wrong on our side" })
    else res.destroy()
  })
})

server.listen(port, host, () => console.log(`floor listening on http://${host}:${port}, ${keys.size} API keys loaded`))

const shutdown = () => {
  server.close()
  server.closeIdleConnections()
  void pool.end().then(() => process.exit(0))
}
process.once("SIGINT", shutdown)
process.once("SIGTERM", shutdown)
