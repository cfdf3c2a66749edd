import { Schema } from "effect"

const positiveInt = (brand: string, description: string) =>
  Schema.Int.pipe(
    Schema.positive({ message: () => `${description} must be a positive integer` }),
    Schema.brand(brand),
    Schema.annotations({ description, examples: [1 as never] })
  )

/** A branch (one supermarket of the chain), e.g. the store with code `SMKT001`. */
export const BranchId = positiveInt("BranchId", "Branch id")
export type BranchId = typeof BranchId.Type

export const ProductId = positiveInt("ProductId", "Product id")
export type ProductId = typeof ProductId.Type

export const PurchaseId = positiveInt("PurchaseId", "Purchase id")
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

export const isCustomerId = Schema.is(CustomerId)

/** Parses a UUID v4 in any case into a CustomerId; throws on anything else. */
export const customerId = (uuid: string): CustomerId => Schema.decodeSync(CustomerId)(uuid)
