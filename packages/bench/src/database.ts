/**
 * The bench's databases: created fresh on the PostgreSQL server, migrated and seeded the way
 * users do it (`npm run migrate`, `npm run seed`), given API keys the same way (`npm run keys`),
 * counted after each run, dropped at the end.
 */
import { spawn } from "node:child_process"
import pg from "pg"
import type { Catalogue } from "./requests.js"

/** The URL of database `name` on the server `adminUrl` points at. */
export const databaseUrl = (adminUrl: string, name: string) => {
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return url.toString()
}

export const withClient = async <A>(url: string, use: (client: pg.Client) => Promise<A>): Promise<A> => {
  const client = new pg.Client({ connectionString: url, application_name: "icash-bench" })
  await client.connect()
  try {
    return await use(client)
  } finally {
    await client.end()
  }
}

const quoted = (name: string) => {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unexpected database name ${name}`)
  return `"${name}"`
}

export const createDatabase = (adminUrl: string, name: string) =>
  withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${quoted(name)}`))

export const dropDatabase = (adminUrl: string, name: string) =>
  withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${quoted(name)} WITH (FORCE)`))

export const serverVersion = (adminUrl: string) =>
  withClient(adminUrl, async (client) => (await client.query<{ v: string }>("SELECT version() AS v")).rows[0]!.v)

/** The shape of an iCash API key's secret (see packages/auth/src/Secret.ts). */
export const SECRET = /^icash_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$/

/** `text` with anything shaped like a secret blotted out, to show output that may hold one. */
export const redactSecrets = (text: string) => text.replace(/icash_[0-9a-f]{12}_[A-Za-z0-9_-]{43}/g, "icash_<redacted>")

/**
 * Runs `npm run <script> -- <args>` in `cwd` with `env`; resolves with its output (stdout and
 * stderr, or stdout alone with `stdoutOnly`). Fails with its output, secrets redacted, when it exits
 * non-zero.
 */
export const npmRun = (
  cwd: string,
  script: string,
  env: Record<string, string>,
  options: { readonly args?: ReadonlyArray<string>; readonly stdoutOnly?: boolean } = {}
) =>
  new Promise<string>((resolve, reject) => {
    const args = options.args === undefined ? [] : ["--", ...options.args]
    const child = spawn("npm", ["run", "--silent", script, ...args], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let output = ""
    child.stdout.on("data", (chunk) => {
      stdout += chunk
      output += chunk
    })
    child.stderr.on("data", (chunk) => (output += chunk))
    child.on("error", reject)
    child.on(
      "exit",
      (code, signal) =>
        code === 0
          ? resolve(options.stdoutOnly === true ? stdout : output)
          : reject(new Error(`npm run ${script} failed (${code ?? signal}):\n${redactSecrets(output)}`))
    )
  })

export interface ApiKey {
  readonly id: string
  /** Sent as `authorization: Bearer <secret>`; never printed. */
  readonly secret: string
}

/** The id and secret of the key that `npm run keys -- create` printed: its last line of stdout. */
export const secretFromOutput = (stdout: string): ApiKey => {
  const secret = stdout.trimEnd().split("\n").at(-1)?.trim() ?? ""
  const id = SECRET.exec(secret)?.[1]
  if (id === undefined) {
    throw new Error(`npm run keys -- create did not end with a secret:\n${redactSecrets(stdout.slice(-500))}`)
  }
  return { id, secret }
}

/**
 * A new API key on the database `url`, made as operators make one (`npm run keys -- create`, which
 * also brings the schema up to date). Admin keys are exempt from iCash's per-key rate limit; a
 * register key names its branch (by id).
 */
export const createKey = async (
  repoRoot: string,
  url: string,
  key: { readonly role: "admin" | "register"; readonly branch?: number; readonly name: string }
): Promise<ApiKey> =>
  secretFromOutput(
    await npmRun(repoRoot, "keys", { DATABASE_URL: url, LOG_DIR: "" }, {
      args: [
        "create",
        "--role",
        key.role,
        ...(key.branch === undefined ? [] : ["--branch", String(key.branch)]),
        "--name",
        key.name
      ],
      stdoutOnly: true
    })
  )

/** `authorization` and its value for a key. */
export const bearer = (key: ApiKey) => ({ authorization: `Bearer ${key.secret}` })

/** Revokes a key the bench made, so that it opens nothing in a database that is kept. */
export const revokeKey = (url: string, key: ApiKey) =>
  withClient(
    url,
    (client) => client.query("UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL", [key.id])
  )

/** A fresh database with iCash's schema and the shipped catalogue and history, as users make one. */
export const prepareDatabase = async (
  repoRoot: string,
  adminUrl: string,
  name: string,
  env: Record<string, string>
) => {
  await createDatabase(adminUrl, name)
  const url = databaseUrl(adminUrl, name)
  await npmRun(repoRoot, "migrate", { ...env, DATABASE_URL: url })
  await npmRun(repoRoot, "seed", { ...env, DATABASE_URL: url })
  // both databases start from the same statistics and visibility map
  await withClient(url, (client) => client.query("VACUUM ANALYZE"))
  return url
}

/** The ids `GET /branches` and `GET /products` list, straight from the database. */
export const readCatalogue = (url: string): Promise<Catalogue> =>
  withClient(url, async (client) => ({
    branches: (await client.query<{ id: number }>("SELECT id FROM branches ORDER BY id")).rows.map((r) => r.id),
    products: (await client.query<{ id: number }>("SELECT id FROM products ORDER BY id")).rows.map((r) => r.id)
  }))

export interface Counts {
  readonly purchases: number
  readonly items: number
  readonly customers: number
}

export const counts = (url: string): Promise<Counts> =>
  withClient(url, async (client) => {
    const row = (await client.query<{ purchases: string; items: string; customers: string }>(
      `SELECT (SELECT count(*) FROM purchases) AS purchases, (SELECT count(*) FROM purchase_items) AS items,
              (SELECT count(*) FROM customers) AS customers`
    )).rows[0]!
    return { purchases: Number(row.purchases), items: Number(row.items), customers: Number(row.customers) }
  })

/**
 * Writes every dirty page out, so that a run does not pay for the checkpoint the previous run's
 * writes (to the other database, on the same server) would otherwise cause.
 */
export const checkpoint = (adminUrl: string) => withClient(adminUrl, (client) => client.query("CHECKPOINT"))
