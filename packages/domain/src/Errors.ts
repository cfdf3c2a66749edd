import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"
import { BranchId, ProductId, PurchaseId } from "./Ids.js"

/**
 * Every error the services answer with is JSON: `{ "_tag": "...", "message": "...", ...details }`.
 * The HTTP status lives on the error's schema, so the contract, the docs and the client agree on it.
 */

export class UnknownBranch extends Schema.TaggedError<UnknownBranch>()("UnknownBranch", {
  branch_id: BranchId,
  message: Schema.String
}, HttpApiSchema.annotations({
  status: 422,
  description: "The branch_id names no branch of the chain",
  examples: [{ branch_id: BranchId.make(99), message: "branch 99 does not exist" } as never]
})) {
  static of(branch_id: BranchId) {
    return new UnknownBranch({ branch_id, message: `branch ${branch_id} does not exist` })
  }
}

export class UnknownProducts extends Schema.TaggedError<UnknownProducts>()("UnknownProducts", {
  product_ids: Schema.Array(ProductId),
  message: Schema.String
}, HttpApiSchema.annotations({
  status: 422,
  description: "Some product_id names no product",
  examples: [{ product_ids: [ProductId.make(42)], message: "unknown products: 42" } as never]
})) {
  static of(product_ids: ReadonlyArray<ProductId>) {
    return new UnknownProducts({ product_ids, message: `unknown products: ${product_ids.join(", ")}` })
  }
}

export class DuplicateProducts extends Schema.TaggedError<DuplicateProducts>()("DuplicateProducts", {
  product_ids: Schema.Array(ProductId),
  message: Schema.String
}, HttpApiSchema.annotations({
  status: 422,
  description: "A product appears more than once; a purchase holds at most one unit of each product",
  examples: [{ product_ids: [ProductId.make(3)], message: "products listed more than once: 3" } as never]
})) {
  static of(product_ids: ReadonlyArray<ProductId>) {
    return new DuplicateProducts({ product_ids, message: `products listed more than once: ${product_ids.join(", ")}` })
  }
}

export class PurchaseNotFound extends Schema.TaggedError<PurchaseNotFound>()("PurchaseNotFound", {
  id: PurchaseId,
  message: Schema.String
}, HttpApiSchema.annotations({
  status: 404,
  description: "No purchase has this id",
  examples: [{ id: PurchaseId.make(12345), message: "purchase 12345 does not exist" } as never]
})) {
  static of(id: PurchaseId) {
    return new PurchaseNotFound({ id, message: `purchase ${id} does not exist` })
  }
}

export class InvalidCursor extends Schema.TaggedError<InvalidCursor>()("InvalidCursor", {
  message: Schema.String
}, HttpApiSchema.annotations({
  status: 400,
  description: "The cursor was not issued by this server for this query",
  examples: [{ message: "cursor is not valid for this query" } as never]
})) {}

export class NotReady extends Schema.TaggedError<NotReady>()("NotReady", {
  message: Schema.String
}, HttpApiSchema.annotations({
  status: 503,
  description: "The service cannot reach its database",
  examples: [{ message: "database unreachable" } as never]
})) {}

export class MalformedRequest extends Schema.TaggedError<MalformedRequest>()("MalformedRequest", {
  message: Schema.String
}, HttpApiSchema.annotations({
  status: 400,
  description: "The request body is not valid JSON",
  examples: [{ message: "request body is not valid JSON" } as never]
})) {}

export class RouteNotFound extends Schema.TaggedError<RouteNotFound>()("RouteNotFound", {
  message: Schema.String
}, HttpApiSchema.annotations({
  status: 404,
  description: "No endpoint answers this method and path",
  examples: [{ message: "no endpoint for GET /nowhere" } as never]
})) {}
