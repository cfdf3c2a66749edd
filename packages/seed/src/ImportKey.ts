import { hash } from "node:crypto"

export interface PurchaseIdentity {
  readonly branch_code: string
  /** Canonical UTC timestamp (see `parseTimestamp`). */
  readonly timestamp: string
  /** Lower-case UUID. */
  readonly user_id: string
  readonly product_names: ReadonlyArray<string>
}

/**
 * The identity of a purchase row across runs: the same purchase written differently (another
 * zone, upper-case UUID, items in another order, spaces) gets the same key, so it is loaded once.
 * It is the first 128 bits of a SHA-256 of the purchase, written as a UUID (the column's type,
 * compact and cheap to index).
 */
export const importKey = (purchase: PurchaseIdentity): string => {
  const digest = hash(
    "sha256",
    JSON.stringify([purchase.branch_code, purchase.timestamp, purchase.user_id, [...purchase.product_names].sort()]),
    "hex"
  )
  return `${digest.slice(0, 8)}-${digest.slice(8, 12)}-${digest.slice(12, 16)}-${digest.slice(16, 20)}-${
    digest.slice(20, 32)
  }`
}
