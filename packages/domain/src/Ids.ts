import { Schema } from "effect"

/** Ids are whole numbers from 1 up to what their database column holds. */
const id = (brand: string, description: string, max: number) =>
  Schema.Int.pipe(
    Schema.between(1, max, { message: () => `${description} must be a whole number from 1 to ${max}` }),
    Schema.brand(brand),
    Schema.annotations({ description, examples: [1 as never] })
  )

const INTEGER_MAX = 2_147_483_647

/** A branch (one supermarket of the chain), e.g. the store with code `SMKT001`. */
export const BranchId = id("BranchId", "Branch id", INTEGER_MAX)
export type BranchId = typeof BranchId.Type

export const ProductId = id("ProductId", "Product id", INTEGER_MAX)
export type ProductId = typeof ProductId.Type

// a bigint column, but ids travel as JSON numbers: exact up to 2^53 - 1
export const PurchaseId = id("PurchaseId", "Purchase id", Number.MAX_SAFE_INTEGER)
export type PurchaseId = typeof PurchaseId.Type

/** A purchase id as it appears in a URL path. */
export const PurchaseIdFromString = Schema.compose(
  Schema.NumberFromString.annotations({ message: () => "purchase id must be a number" }),
  PurchaseId
)

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

/**
 * A customer is known only by a UUID v4 (the loyalty card's id). Case does not matter on input:
 * `ABC…` and `abc…` are the same customer, always stored and returned in lower case.
 */
const LowercaseUuidV4 = Schema.String.pipe(
  Schema.pattern(UUID_V4, { message: () => "must be a UUID v4, e.g. 01e1e159-8045-43c2-88dd-5682b18bd680" }),
  Schema.brand("CustomerId")
)

export const CustomerId = Schema.compose(Schema.Lowercase, LowercaseUuidV4).annotations({
  identifier: "CustomerId",
  description: "Customer UUID v4 (case-insensitive on input, lower case on output)",
  examples: ["01e1e159-8045-43c2-88dd-5682b18bd680" as never]
})
export type CustomerId = typeof CustomerId.Type

/** Parses a UUID v4 in any case into a CustomerId; throws on anything else. */
export const customerId = (uuid: string): CustomerId => Schema.decodeSync(CustomerId)(uuid)
