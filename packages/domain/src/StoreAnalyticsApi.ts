import { HttpApi, HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "@effect/platform"
import { AnalystRole } from "./Access.js"
import {
  DEFAULT_LOYAL_MIN_PURCHASES,
  LoyalCustomersPage,
  LoyalCustomersParams,
  MAX_SALES_BUCKETS,
  Sales,
  SalesParams,
  TopProducts,
  TopProductsParams,
  UniqueCustomers
} from "./Analytics.js"
import {
  InternalError,
  InvalidCursor,
  InvalidSalesQuery,
  MalformedRequest,
  PayloadTooLarge,
  ServiceUnavailable,
  UnknownBranch,
  UnsupportedMediaType
} from "./Errors.js"
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
  .add(
    HttpApiEndpoint.get("sales", "/analytics/sales")
      .setUrlParams(SalesParams)
      .addSuccess(Sales)
      .addError(InvalidSalesQuery)
      .addError(UnknownBranch)
      .annotate(OpenApi.Summary, "Sales over time")
      .annotate(
        OpenApi.Description,
        "Purchases and revenue per hour or per day of the time zone tz (exact across daylight-saving changes), " +
          "for one branch or the whole chain (a branch_id that names no branch is refused: 422 UnknownBranch). " +
          "Every bucket of the range is listed, empty ones included. " +
          `At most ${MAX_SALES_BUCKETS.hour} hourly or ${MAX_SALES_BUCKETS.day} daily buckets per query.`
      )
  )
  .add(
    HttpApiEndpoint.get("stream", "/analytics/stream")
      .addSuccess(HttpApiSchema.Text({ contentType: "text/event-stream" }))
      .annotate(OpenApi.Summary, "Live figures (server-sent events)")
      .annotate(
        OpenApi.Description,
        "A text/event-stream of the chain's figures (LiveFigures as JSON in each event's data: unique_customers, " +
          `loyal_customers at ${DEFAULT_LOYAL_MIN_PURCHASES} purchases, purchases, revenue, top_products). ` +
          "The current figures are sent on connect, then again within a second of any committed change; bursts " +
          "are coalesced into a few events a second at most. Each event's id is its figures' version: a client " +
          "that reconnects with Last-Event-ID gets the current figures only if they changed since. A comment " +
          "line every 15 seconds keeps idle connections open. Works across processes: every service instance " +
          "sees every commit."
      )
  )
  .middleware(AnalystRole)
  .annotate(OpenApi.Title, "Analytics")
  .annotate(OpenApi.Description, "Analyst and admin keys read the analytics.") {}

export class StoreAnalyticsApi extends HttpApi.make("store-analytics")
  .add(AnalyticsGroup)
  .add(HealthGroup)
  .addError(MalformedRequest)
  .addError(PayloadTooLarge)
  .addError(UnsupportedMediaType)
  .addError(ServiceUnavailable)
  .addError(InternalError)
  .annotate(OpenApi.Title, "iCash Store Analytics")
  .annotate(OpenApi.Version, "0.1.0")
  .annotate(
    OpenApi.Description,
    "Live figures of the whole chain: a purchase counts as soon as its POST /purchases has returned."
  ) {}
