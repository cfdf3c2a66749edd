import { Schema } from "effect"

/**
 * What `GET /config.json` tells the dashboard: where the two services are, as the browser reaches
 * them. Shared by the server that answers it and the page that reads it.
 */
export class WebConfig extends Schema.Class<WebConfig>("WebConfig")({
  cash_register_url: Schema.String,
  store_analytics_url: Schema.String
}) {}

/** Where the services are: an explicit URL each (empty: none), and the port each listens on. */
export interface ServiceLocations {
  readonly cashRegisterUrl: string
  readonly storeAnalyticsUrl: string
  readonly cashRegisterPort: number
  readonly storeAnalyticsPort: number
}

/**
 * The services' URLs for a page loaded from `page`: a configured URL when there is one (a proxy, another
 * host), else the page's own scheme and host name on the service's port. So a tablet that opened
 * `http://192.168.1.20:3000` talks to `http://192.168.1.20:8000`, and a laptop on localhost to localhost.
 */
export const webConfigFor = (page: URL, services: ServiceLocations): WebConfig => {
  const locate = (configured: string, port: number) => {
    if (configured.trim() !== "") return configured.trim().replace(/\/+$/, "")
    const url = new URL(page.origin)
    url.port = String(port)
    return url.origin
  }
  return new WebConfig({
    cash_register_url: locate(services.cashRegisterUrl, services.cashRegisterPort),
    store_analytics_url: locate(services.storeAnalyticsUrl, services.storeAnalyticsPort)
  })
}

/** The URL a request was made to, from its `Host` header (`localhost` when it has none). */
export const pageUrlOf = (host: string | undefined, scheme = "http"): URL => {
  try {
    return new URL(`${scheme}://${host === undefined || host === "" ? "localhost" : host}/`)
  } catch {
    return new URL(`${scheme}://localhost/`)
  }
}
