import { HttpApi, HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { AnyRole, RegisterRole } from "./Access.js"
import { Branch, Product } from "./Catalog.js"
import {
  DuplicateProducts,
  IdempotencyKeyInFlight,
  IdempotencyKeyReused,
  InternalError,
  MalformedRequest,
  PayloadTooLarge,
  PurchaseNotFound,
  ServiceUnavailable,
  UnknownBranch,
  UnknownProducts,
  UnsupportedMediaType
} from "./Errors.js"
import { HealthGroup } from "./HealthApi.js"
import { PurchaseIdFromString } from "./Ids.js"
import { KeysGroup } from "./KeysApi.js"
import { NewPurchase, Purchase, PurchaseHeaders } from "./Purchase.js"

export class CatalogGroup extends HttpApiGroup.make("catalog")
  .add(
    HttpApiEndpoint.get("listBranches", "/branches")
      .addSuccess(Schema.Array(Branch))
      .annotate(OpenApi.Summary, "List branches")
      .annotate(OpenApi.Description, "Every supermarket of the chain, by id.")
  )
  .add(
    HttpApiEndpoint.get("listProducts", "/products")
      .addSuccess(Schema.Array(Product))
      .annotate(OpenApi.Summary, "List products")
      .annotate(OpenApi.Description, "Every product with its current unit price, by id.")
  )
  .middleware(AnyRole)
  .annotate(OpenApi.Title, "Catalog")
  .annotate(OpenApi.Description, "Any API key may read the catalogue.") {}

export class PurchasesGroup extends HttpApiGroup.make("purchases")
  .add(
    HttpApiEndpoint.post("create", "/purchases")
      // every problem of a body at once; a field we do not take (a total, say) is a mistake worth telling
      .setPayload(NewPurchase.annotations({ parseOptions: { errors: "all", onExcessProperty: "error" } }))
      .setHeaders(PurchaseHeaders)
      .addSuccess(Purchase, { status: 201 })
      .addError(UnknownBranch)
      .addError(UnknownProducts)
      .addError(DuplicateProducts)
      .addError(IdempotencyKeyReused)
      .addError(IdempotencyKeyInFlight)
      .annotate(OpenApi.Summary, "Record a purchase")
      .annotate(
        OpenApi.Description,
        "Rings up one purchase: at most one unit of each product, priced by the server at the current prices. " +
          "All of it is stored in one transaction, or none of it. Omit user_id for a new customer. " +
          "A body that does not match the schema is answered 400 with the problems listed. " +
          "Send an Idempotency-Key header (a fresh UUID per purchase, the same on each retry): a retry of a " +
          "purchase already stored answers the stored purchase again (201, with Idempotent-Replayed: true) and " +
          "stores nothing; the key with another body is refused (422); while the first request with the key is " +
          "being stored, another with the same key waits for it, or across services gets 409 with Retry-After. " +
          "Keys are kept at least IDEMPOTENCY_KEY_RETENTION (default 24 hours)."
      )
  )
  .add(
    HttpApiEndpoint.get("get")`/purchases/${HttpApiSchema.param("id", PurchaseIdFromString)}`
      .addSuccess(Purchase)
      .addError(PurchaseNotFound)
      .annotate(OpenApi.Summary, "Get a purchase")
      .annotate(OpenApi.Description, "One stored purchase with its items and the prices it was sold at.")
  )
  .middleware(RegisterRole)
  .annotate(OpenApi.Title, "Purchases")
  .annotate(
    OpenApi.Description,
    "A register key records and reads the purchases of its own branch (403 for another branch); an admin key, " +
      "of any branch."
  ) {}

export class CashRegisterApi extends HttpApi.make("cash-register")
  .add(CatalogGroup)
  .add(PurchasesGroup)
  .add(KeysGroup)
  .add(HealthGroup)
  .addError(MalformedRequest)
  .addError(PayloadTooLarge)
  .addError(UnsupportedMediaType)
  .addError(ServiceUnavailable)
  .addError(InternalError)
  .annotate(OpenApi.Title, "iCash Cash Register")
  .annotate(OpenApi.Version, "0.1.0")
  .annotate(
    OpenApi.Description,
    "Branches, products and purchases of the chain, and the API keys. Money is a JSON number with at most two " +
      "decimals."
  ) {}
