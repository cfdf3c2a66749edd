import { Schema } from "effect"

/**
 * What `GET /config.json` tells the dashboard: where the two services are, as the browser reaches
 * them, and, for a page opened on this very machine, the local admin key (see `isLocalRequest`).
 * Shared by the server that answers it and the page that reads it.
 */
export class WebConfig extends Schema.Class<WebConfig>("WebConfig")({
  cash_register_url: Schema.String,
  store_analytics_url: Schema.String,
  api_key: Schema.optional(Schema.String)
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
export const webConfigFor = (page: URL, services: ServiceLocations, apiKey?: string): WebConfig => {
  const locate = (configured: string, port: number) => {
    if (configured.trim() !== "") return configured.trim().replace(/\/+$/, "")
    const url = new URL(page.origin)
    url.port = String(port)
    return url.origin
  }
  return new WebConfig({
    cash_register_url: locate(services.cashRegisterUrl, services.cashRegisterPort),
    store_analytics_url: locate(services.storeAnalyticsUrl, services.storeAnalyticsPort),
    ...(apiKey === undefined ? {} : { api_key: apiKey })
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

const LOOPBACK_ADDRESSES: ReadonlySet<string> = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"])
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(["localhost", "127.0.0.1", "[::1]"])

/**
 * Whether a request for `/config.json` may be answered with the local admin key (the one `npm start`
 * keeps in DATA_DIR), so that the dashboard opens signed in on the machine that runs it: only when
 * it comes over the loopback interface AND its `Host` header names a loopback host. A tablet on the
 * network signs in with a key of its own; and a web page of another site that got its name to resolve
 * to 127.0.0.1 (DNS rebinding) still sends its own name as `Host`, so it never reads the key. A
 * reverse proxy on this machine must pass the browser's `Host` on (nginx's default would not).
 */
export const isLocalRequest = (remoteAddress: string | undefined, host: string | undefined): boolean =>
  remoteAddress !== undefined && LOOPBACK_ADDRESSES.has(remoteAddress) &&
  host !== undefined && URL.canParse(`http://${host}/`) && LOOPBACK_HOSTS.has(new URL(`http://${host}/`).hostname)
