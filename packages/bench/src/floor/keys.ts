/**
 * The floor server's API key check: the work iCash's access middleware does per request, by hand.
 * The keys not revoked are read from `api_keys` once, at start, into a Map by id; each request's
 * `Authorization: Bearer <secret>` is parsed, its id looked up, and HMAC-SHA-256 of the whole
 * secret under the key's salt compared with the stored hash in constant time.
 */
import { createHmac, timingSafeEqual } from "node:crypto"

/** A secret is `icash_<12 hex id>_<43 base64url characters>`, as iCash makes them. */
const SECRET = /^icash_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$/

export type Role = "register" | "analyst" | "admin"

/** A row of `api_keys` as the floor loads it: salt and hash in hex, as `encode(…, 'hex')` gives them. */
export interface KeyRow {
  readonly id: string
  readonly role: Role
  readonly branch_id: number | null
  readonly salt: string
  readonly secret_hash: string
}

export interface Key {
  readonly id: string
  readonly role: Role
  readonly branchId: number | null
  readonly salt: Buffer
  readonly hash: Buffer
}

export type Keys = ReadonlyMap<string, Key>

/** The query that loads the keys a request may use. */
export const ACTIVE_KEYS_SQL = `SELECT id, role, branch_id, encode(salt, 'hex') AS salt,
       encode(secret_hash, 'hex') AS secret_hash
FROM api_keys WHERE revoked_at IS NULL`

export const keysById = (rows: ReadonlyArray<KeyRow>): Keys =>
  new Map(rows.map((row) => [row.id, {
    id: row.id,
    role: row.role,
    branchId: row.branch_id,
    salt: Buffer.from(row.salt, "hex"),
    hash: Buffer.from(row.secret_hash, "hex")
  }]))

export type Access =
  | { readonly _tag: "Allowed"; readonly key: Key }
  /** 401: no key, not a bearer token, or a key unknown, revoked or with another secret. */
  | { readonly _tag: "Unauthorized"; readonly message: string }
  /** 403: a valid key whose role may not use the endpoint. */
  | { readonly _tag: "Forbidden"; readonly message: string }

const unauthorized = (message: string): Access => ({ _tag: "Unauthorized", message })

const article = (role: Role) => (role === "admin" || role === "analyst" ? "an" : "a")

/** The roles that may record purchases, and those that may read the analytics (as iCash's contracts say). */
export const PURCHASE_ROLES: ReadonlyArray<Role> = ["register", "admin"]
export const ANALYTICS_ROLES: ReadonlyArray<Role> = ["analyst", "admin"]

/** Whether this `Authorization` header names a valid key of one of the `allowed` roles (by default, one that may record purchases). */
export const checkKey = (keys: Keys, header: string | undefined, allowed = PURCHASE_ROLES): Access => {
  if (header === undefined || header.trim() === "") {
    return unauthorized("missing Authorization header: send Authorization: Bearer <API key>")
  }
  if (!/^Bearer /i.test(header)) return unauthorized("the Authorization header must be Bearer <API key>")
  const secret = header.replace(/^Bearer +/i, "").trim()
  const id = SECRET.exec(secret)?.[1]
  const key = id === undefined ? undefined : keys.get(id)
  if (key === undefined) return unauthorized("unknown or revoked API key")
  const hash = createHmac("sha256", key.salt).update(secret).digest()
  if (hash.length !== key.hash.length || !timingSafeEqual(hash, key.hash)) {
    return unauthorized("unknown or revoked API key")
  }
  if (!allowed.includes(key.role)) {
    return {
      _tag: "Forbidden",
      message: `${article(key.role)} ${key.role} key may not use this endpoint; it takes ${
        allowed.map((role) => `${article(role)} ${role}`).join(" or ")
      } key`
    }
  }
  return { _tag: "Allowed", key }
}

/** The 403 message when a register key records a purchase of another branch; undefined when it may. */
export const otherBranch = (key: Key, branchId: number): string | undefined =>
  key.branchId === null || key.branchId === branchId
    ? undefined
    : `this register key belongs to branch ${key.branchId}; it may not record purchases of branch ${branchId}`
