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
 */
export const importKey = (purchase: PurchaseIdentity): string =>
  hash(
    "sha256",
    JSON.stringify([purchase.branch_code, purchase.timestamp, purchase.user_id, [...purchase.product_names].sort()]),
    "hex"
  )
