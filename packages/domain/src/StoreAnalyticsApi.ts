import { HttpApi, HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import {
  LoyalCustomersPage,
  LoyalCustomersParams,
  TopProducts,
  TopProductsParams,
  UniqueCustomers
} from "./Analytics.js"
import { InternalError, InvalidCursor, MalformedRequest } from "./Errors.js"
import { HealthGroup } from "./HealthApi.js"

export class AnalyticsGroup extends HttpApiGroup.make("analytics")
  .add(
    HttpApiEndpoint.get("uniqueCustomers", "/analytics/customers")
      .addSuccess(UniqueCustomers)
      .annotate(OpenApi.Summary, "Unique customers")
      .annotate(OpenApi.Description, "How many distinct customers bought anything, across all branches.")
  )
  .add(
    HttpApiEndpoint.get("loyalCustomers", "/analytics/loyal-customers")
      .setUrlParams(LoyalCustomersParams)
      .addSuccess(LoyalCustomersPage)
      .addError(InvalidCursor)
      .annotate(OpenApi.Summary, "Loyal customers")
      .annotate(
        OpenApi.Description,
        "Customers with at least min_purchases purchases (default 3), most purchases first, then by user_id. " +
          "Page through all of them with limit (1-1000) and the next_cursor of each page."
      )
  )
  .add(
    HttpApiEndpoint.get("topProducts", "/analytics/top-products")
      .setUrlParams(TopProductsParams)
      .addSuccess(TopProducts)
      .annotate(OpenApi.Summary, "Top-selling products")
      .annotate(
        OpenApi.Description,
        "The best sellers by units sold, with their revenue. Products that sold the same share a rank, " +
          "and every product tied at the cut-off is listed."
      )
  )
  .annotate(OpenApi.Title, "Analytics") {}

export class StoreAnalyticsApi extends HttpApi.make("store-analytics")
  .add(AnalyticsGroup)
  .add(HealthGroup)
  .addError(MalformedRequest)
  .addError(InternalError)
  .annotate(OpenApi.Title, "iCash Store Analytics")
  .annotate(OpenApi.Version, "0.1.0")
  .annotate(
    OpenApi.Description,
    "Live figures of the whole chain: a purchase counts as soon as its POST /purchases has returned."
  ) {}
