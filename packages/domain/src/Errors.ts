import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"
import { ApiKeyId } from "./ApiKeys.js"
import { BranchId, ProductId, PurchaseId } from "./Ids.js"

const message = (example: string) =>
  Schema.String.annotations({ description: "What is wrong, in words", examples: [example] })

/**
 * Every error the services answer with is JSON: `{ "_tag": "...", "message": "...", ...details }`.
 * The HTTP status lives on the error's schema, so the contract, the docs and the client agree on it.
 */

export class UnknownBranch extends Schema.TaggedError<UnknownBranch>()("UnknownBranch", {
  branch_id: BranchId,
  message: message("branch 99 does not exist")
}, HttpApiSchema.annotations({ status: 422, description: "The branch_id names no branch of the chain" })) {
  static of(branch_id: BranchId) {
    return new UnknownBranch({ branch_id, message: `branch ${branch_id} does not exist` })
  }
}

export class UnknownProducts extends Schema.TaggedError<UnknownProducts>()("UnknownProducts", {
  product_ids: Schema.Array(ProductId),
  message: message("unknown products: 42")
}, HttpApiSchema.annotations({ status: 422, description: "Some product_id names no product" })) {
  static of(product_ids: ReadonlyArray<ProductId>) {
    return new UnknownProducts({ product_ids, message: `unknown products: ${product_ids.join(", ")}` })
  }
}

export class DuplicateProducts extends Schema.TaggedError<DuplicateProducts>()(
  "DuplicateProducts",
  {
    product_ids: Schema.Array(ProductId),
    message: message("products listed more than once: 3")
  },
  HttpApiSchema.annotations({
    status: 422,
    description: "A product appears more than once; a purchase holds at most one unit of each product"
  })
) {
  static of(product_ids: ReadonlyArray<ProductId>) {
    return new DuplicateProducts({ product_ids, message: `products listed more than once: ${product_ids.join(", ")}` })
  }
}

export class PurchaseNotFound extends Schema.TaggedError<PurchaseNotFound>()("PurchaseNotFound", {
  id: PurchaseId,
  message: message("purchase 12345 does not exist")
}, HttpApiSchema.annotations({ status: 404, description: "No purchase has this id" })) {
  static of(id: PurchaseId) {
    return new PurchaseNotFound({ id, message: `purchase ${id} does not exist` })
  }
}

export class ApiKeyNotFound extends Schema.TaggedError<ApiKeyNotFound>()("ApiKeyNotFound", {
  id: ApiKeyId,
  message: message("no API key has the id 3f9a2c1d0b4e")
}, HttpApiSchema.annotations({ status: 404, description: "No API key has this id" })) {
  static of(id: ApiKeyId) {
    return new ApiKeyNotFound({ id, message: `no API key has the id ${id}` })
  }
}

export class InvalidCursor extends Schema.TaggedError<InvalidCursor>()(
  "InvalidCursor",
  {
    message: message("cursor is not valid for this query")
  },
  HttpApiSchema.annotations({ status: 400, description: "The cursor was not issued by this server for this query" })
) {}

export class IdempotencyKeyReused extends Schema.TaggedError<IdempotencyKeyReused>()(
  "IdempotencyKeyReused",
  {
    message: message("this Idempotency-Key was used for a different purchase")
  },
  HttpApiSchema.annotations({
    status: 422,
    description: "The Idempotency-Key was already used, within its retention, for a request with another body"
  })
) {}

export class IdempotencyKeyInFlight extends Schema.TaggedError<IdempotencyKeyInFlight>()(
  "IdempotencyKeyInFlight",
  {
    message: message("a request with this Idempotency-Key is being processed; retry in a second")
  },
  HttpApiSchema.annotations({
    status: 409,
    description: "Another request with the same Idempotency-Key is being stored right now: retry after Retry-After"
  })
) {}

export class InvalidSalesQuery extends Schema.TaggedError<InvalidSalesQuery>()(
  "InvalidSalesQuery",
  {
    message: message("from must be before to")
  },
  HttpApiSchema.annotations({
    status: 400,
    description:
      "The range is empty or holds more buckets than one query may return, or the database does not know the time zone"
  })
) {}

export class NotReady extends Schema.TaggedError<NotReady>()("NotReady", {
  message: message("database unreachable")
}, HttpApiSchema.annotations({ status: 503, description: "The service cannot reach its database" })) {}

export class MalformedRequest extends Schema.TaggedError<MalformedRequest>()("MalformedRequest", {
  message: message("request body is not valid JSON")
}, HttpApiSchema.annotations({ status: 400, description: "The request body is not valid JSON" })) {}

export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()("PayloadTooLarge", {
  message: message("request body is larger than 256 KB")
}, HttpApiSchema.annotations({ status: 413, description: "The request body is larger than the service accepts" })) {}

export class UnsupportedMediaType extends Schema.TaggedError<UnsupportedMediaType>()("UnsupportedMediaType", {
  message: message("request body must be JSON: send it with Content-Type: application/json (this one was text/plain)")
}, HttpApiSchema.annotations({ status: 415, description: "The request has a body that does not say it is JSON" })) {}

export class RouteNotFound extends Schema.TaggedError<RouteNotFound>()("RouteNotFound", {
  message: message("no endpoint for GET /nowhere")
}, HttpApiSchema.annotations({ status: 404, description: "No endpoint answers this method and path" })) {}

export class ServiceUnavailable extends Schema.TaggedError<ServiceUnavailable>()(
  "ServiceUnavailable",
  {
    message: message("the database cannot be reached right now; retry after Retry-After seconds")
  },
  HttpApiSchema.annotations({
    status: 503,
    description: "The database cannot be reached right now: nothing was done (or, for a purchase sent without an " +
      "Idempotency-Key, it may have been stored); retry after the Retry-After header's seconds, with the same key"
  })
) {}

export class InternalError extends Schema.TaggedError<InternalError>()("InternalError", {
  message: message("something went wrong on our side; the trace id names the request"),
  trace_id: Schema.optional(Schema.String).annotations({ description: "The request's trace, for whoever investigates" })
}, HttpApiSchema.annotations({ status: 500, description: "A fault of the service, not of the request" })) {}
