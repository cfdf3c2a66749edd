import { BranchCode, type Cents, CustomerId, type ProductId, sumCents } from "@icash/domain"
import { Either, Schema } from "effect"
import { parseProductName } from "./ProductName.js"
import { parseTimestamp } from "./Timestamp.js"

/** The products a purchases file may name, by (lower-case) product name. */
export type Catalog = ReadonlyMap<string, { readonly id: ProductId; readonly unit_price: Cents }>

export interface ListedItems {
  readonly product_names: ReadonlyArray<string>
  readonly items: ReadonlyArray<{ readonly product_id: ProductId; readonly unit_price: Cents }>
  readonly sum: Cents
}

const isBranchCode = Schema.is(BranchCode)
const isCustomerId = Schema.is(CustomerId)

/** `SMKT001` (any case); the branch is created on load when the chain has no such code yet. */
export const parseBranchCode = (text: string): Either.Either<string, string> => {
  if (text === "") return Either.left("supermarket_id is empty")
  const code = text.toUpperCase()
  return isBranchCode(code)
    ? Either.right(code)
    : Either.left(`supermarket_id "${text}" is not a branch code like SMKT001 (letters, digits, - or _)`)
}

export const parseTimestampField = (text: string): Either.Either<string, string> => {
  const timestamp = parseTimestamp(text)
  return timestamp === undefined
    ? Either.left(`timestamp "${text}" is not a valid date and time such as 2025-05-26T19:51:00.539354`)
    : Either.right(timestamp)
}

/** A UUID v4 in any case, as the lower-case customer id. */
export const parseUserId = (text: string): Either.Either<CustomerId, string> => {
  // what decoding a CustomerId does (lower case, then the pattern), at a third of the cost
  const id = text.toLowerCase()
  return isCustomerId(id) ? Either.right(id) : Either.left(`user_id "${text}" is not a UUID v4`)
}

/** `eggs,milk`: distinct products of the catalogue, at least one, priced at their current price. */
export const parseItemsList = (text: string, catalog: Catalog): Either.Either<ListedItems, ReadonlyArray<string>> => {
  if (text === "") return Either.left(["items_list is empty"])
  const reasons: Array<string> = []
  const product_names: Array<string> = []
  const items: Array<ListedItems["items"][number]> = []
  for (const entry of text.split(",")) {
    const name = parseProductName(entry)
    if (Either.isLeft(name)) {
      reasons.push("items_list has an empty item")
      continue
    }
    const product = catalog.get(name.right)
    if (product === undefined) reasons.push(`unknown product "${name.right}"`)
    else if (product_names.includes(name.right)) reasons.push(`product "${name.right}" is listed twice`)
    else items.push({ product_id: product.id, unit_price: product.unit_price })
    product_names.push(name.right)
  }
  return reasons.length > 0
    ? Either.left([...new Set(reasons)])
    : Either.right({ product_names, items, sum: sumCents(items.map((item) => item.unit_price)) })
}
