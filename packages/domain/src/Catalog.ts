import { Schema } from "effect"
import { BranchId, ProductId } from "./Ids.js"
import { Money } from "./Money.js"

export const BranchCode = Schema.String.pipe(
  Schema.pattern(/^[A-Z0-9_-]{1,32}$/, { message: () => "branch code must be 1-32 upper-case letters or digits" }),
  Schema.annotations({ description: "Branch code as the iCash files use it", examples: ["SMKT001"] })
)

export class Branch extends Schema.Class<Branch>("Branch")({
  id: BranchId,
  code: BranchCode,
  name: Schema.NonEmptyTrimmedString
}, { description: "A supermarket of the chain" }) {}

export class Product extends Schema.Class<Product>("Product")({
  id: ProductId,
  product_name: Schema.String,
  unit_price: Money
}, { description: "A product and its current price" }) {}
