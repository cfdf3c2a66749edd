import type { BranchId, ProductId } from "@icash/domain"
import { Utils } from "effect"
import { basketPicker } from "./Baskets.js"
import { CustomerBook } from "./Customers.js"

/** One till: the `lane`-th register (from 0) of a branch. */
export interface Till {
  readonly branch_id: BranchId
  readonly branch_code: string
  readonly lane: number
}

/** A purchase before it is rung up: its customer is an ordinal of the till's own customers. */
export interface Draft {
  readonly branch_id: BranchId
  readonly customer: number
  readonly product_ids: ReadonlyArray<ProductId>
}

/**
 * The endless, seeded sequence of purchases one till rings up. The same seed, till and catalogue
 * give the same sequence, whatever the other tills do: each till draws from a PCG stream of its
 * own (the branch in the seed, the lane in the stream increment).
 */
export const shoppingAt = (
  till: Till,
  options: { readonly seed: number; readonly productIds: ReadonlyArray<ProductId>; readonly maxItems: number }
): () => Draft => {
  const random = new Utils.PCGRandom(options.seed, till.branch_id, 0, 2 * till.lane + 1)
  const basket = basketPicker(options.productIds, options.maxItems)
  const customers = new CustomerBook()
  return () => {
    const customer = customers.next(random)
    return { branch_id: till.branch_id, customer, product_ids: basket(random) }
  }
}
