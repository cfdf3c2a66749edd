/**
 * The floor server's checks of a `POST /purchases` body: the same rules as iCash's `NewPurchase`
 * contract (decoded with `onExcessProperty: "error"`), written by hand.
 */

export interface ValidPurchase {
  readonly branch_id: number
  /** Lower case; absent for a new customer. */
  readonly user_id: string | undefined
  readonly product_ids: ReadonlyArray<number>
}

export type Validation =
  | { readonly _tag: "Valid"; readonly purchase: ValidPurchase }
  /** 400: the body does not match the contract. */
  | { readonly _tag: "Invalid"; readonly issues: ReadonlyArray<string> }
  /** 422: the same product more than once. */
  | { readonly _tag: "Duplicates"; readonly branch_id: number; readonly product_ids: ReadonlyArray<number> }

const INT4_MAX = 2_147_483_647
const MAX_ITEMS = 1000
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const isId = (value: unknown): value is number =>
  typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= INT4_MAX

const extraKeys = (value: Record<string, unknown>, allowed: ReadonlyArray<string>) =>
  Object.keys(value).filter((key) => !allowed.includes(key))

export const validatePurchase = (body: unknown): Validation => {
  if (!isObject(body)) return { _tag: "Invalid", issues: ["body must be a JSON object"] }
  const issues: Array<string> = []
  for (const key of extraKeys(body, ["branch_id", "user_id", "items"])) issues.push(`${key}: is unexpected`)

  if (!isId(body.branch_id)) issues.push(`branch_id: must be a whole number from 1 to ${INT4_MAX}`)

  let user_id: string | undefined
  if ("user_id" in body) {
    user_id = typeof body.user_id === "string" ? body.user_id.toLowerCase() : undefined
    if (user_id === undefined || !UUID_V4.test(user_id)) issues.push("user_id: must be a UUID v4")
  }

  const product_ids: Array<number> = []
  if (!Array.isArray(body.items)) {
    issues.push("items: must be an array")
  } else if (body.items.length === 0) {
    issues.push("items: must not be empty")
  } else if (body.items.length > MAX_ITEMS) {
    issues.push(`items: at most ${MAX_ITEMS}`)
  } else {
    body.items.forEach((item: unknown, i) => {
      if (!isObject(item)) return issues.push(`items[${i}]: must be an object`)
      for (const key of extraKeys(item, ["product_id", "quantity"])) issues.push(`items[${i}].${key}: is unexpected`)
      if (!isId(item.product_id)) issues.push(`items[${i}].product_id: must be a whole number from 1 to ${INT4_MAX}`)
      else product_ids.push(item.product_id)
      if ("quantity" in item && item.quantity !== 1) issues.push(`items[${i}].quantity: must be 1`)
    })
  }
  if (issues.length > 0) return { _tag: "Invalid", issues }

  const seen = new Set<number>()
  const repeated = new Set<number>()
  for (const id of product_ids) {
    if (seen.has(id)) repeated.add(id)
    seen.add(id)
  }
  if (repeated.size > 0) return { _tag: "Duplicates", branch_id: body.branch_id as number, product_ids: [...repeated] }
  return { _tag: "Valid", purchase: { branch_id: body.branch_id as number, user_id, product_ids } }
}

/** Cents from a NUMERIC(…, 2) as PostgreSQL prints it, e.g. `"1.49"` → 149. */
export const parseCents = (text: string): number => {
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(text)
  if (match === null) throw new Error(`not an amount of money: ${text}`)
  return Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"))
}
