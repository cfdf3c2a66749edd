import type { ApiKeyId } from "@icash/domain"
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto"

/**
 * A key's secret is `icash_<id>_<43 characters>`: its public id, then 256 random bits. The id finds
 * the key; only an HMAC-SHA-256 of the whole secret under a salt of the key's own is stored, so a
 * copy of the database opens nothing. (The secret has too much entropy to guess, so a fast keyed
 * hash is enough: no password-hashing function is needed.)
 */
const SECRET = /^icash_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$/

export interface NewSecret {
  readonly id: ApiKeyId
  readonly secret: string
  readonly salt: string
  readonly secret_hash: string
}

export const hashSecret = (secret: string, salt: string) =>
  createHmac("sha256", Buffer.from(salt, "hex")).update(secret).digest("hex")

export const newSecret = (): NewSecret => {
  const id = randomBytes(6).toString("hex") as ApiKeyId
  const secret = `icash_${id}_${randomBytes(32).toString("base64url")}`
  const salt = randomBytes(16).toString("hex")
  return { id, secret, salt, secret_hash: hashSecret(secret, salt) }
}

/** The id a secret names, if it has the shape of one. */
export const secretId = (secret: string): ApiKeyId | undefined => SECRET.exec(secret)?.[1] as ApiKeyId | undefined

/** Whether the secret is the one hashed, in time that does not depend on where they differ. */
export const secretMatches = (secret: string, key: { readonly salt: string; readonly secret_hash: string }) =>
  timingSafeEqual(Buffer.from(hashSecret(secret, key.salt), "hex"), Buffer.from(key.secret_hash, "hex"))
