import { FileSystem, HttpRouter, HttpServer, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { readLocalAdminKey } from "@icash/auth"
import { httpTelemetry, SERVICE_ANNOTATION } from "@icash/runtime"
import { Config, Effect, Layer, Option, Schema } from "effect"
import { createServer } from "node:http"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { isLocalRequest, pageUrlOf, type ServiceLocations, WebConfig, webConfigFor } from "./WebConfig.js"

/** The port the dashboard is served on. */
export const WebPortConfig = Config.port("WEB_PORT").pipe(Config.withDefault(3000))

/**
 * Where the built dashboard is: `web/` beside the running program, that is dist/web/ for the programs
 * the build makes (dist/app.js, dist/web.js). scripts/build.mjs writes it there.
 */
export const builtAssetsDir = (): string => fileURLToPath(new URL("./web", import.meta.url))

/** The services' URLs: set CASH_REGISTER_URL / STORE_ANALYTICS_URL when the browser reaches them elsewhere. */
export const serviceLocationsConfig = (ports: {
  readonly cashRegister: Config.Config<number>
  readonly storeAnalytics: Config.Config<number>
}): Config.Config<ServiceLocations> =>
  Config.all({
    cashRegisterUrl: Config.string("CASH_REGISTER_URL").pipe(Config.withDefault("")),
    storeAnalyticsUrl: Config.string("STORE_ANALYTICS_URL").pipe(Config.withDefault("")),
    cashRegisterPort: ports.cashRegister,
    storeAnalyticsPort: ports.storeAnalytics
  })

const encodeConfig = Schema.encodeSync(WebConfig)

/** Vite names the files of assets/ by their content: they never change, so browsers may keep them. */
const IMMUTABLE = "public, max-age=31536000, immutable"
/** index.html (and anything else) is checked again on every load, so a new build is seen at once. */
const REVALIDATE = "no-cache"

const notFound = HttpServerResponse.text("Not found", { status: 404 })

/**
 * The dashboard's server: `/config.json`, the files of `assets`, and `index.html` for any other path
 * without a file extension (the page's own views). Nothing outside `assets` is ever read, but for
 * the local admin key: `/config.json` carries it to a page opened on this machine (`isLocalRequest`),
 * read on every request (a new `npm start` may have made a new one), never cached.
 */
export const webApp = (assets: string, services: ServiceLocations) => {
  const root = path.resolve(assets)
  const index = path.join(root, "index.html")

  const sendFile = (file: string, cacheControl: string) =>
    HttpServerResponse.file(file, { headers: { "cache-control": cacheControl, "x-content-type-options": "nosniff" } })

  const serveIndex = Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    if (!(yield* fs.exists(index).pipe(Effect.orElseSucceed(() => false)))) {
      return HttpServerResponse.text(
        "The dashboard is not built: run `npm run build` (it needs the dev dependencies), then reload.",
        { status: 503 }
      )
    }
    return yield* sendFile(index, REVALIDATE)
  })

  const serveStatic = Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const fs = yield* FileSystem.FileSystem
    let pathname: string
    try {
      pathname = decodeURIComponent(new URL(request.url, "http://localhost").pathname)
    } catch {
      return HttpServerResponse.text("Bad request", { status: 400 })
    }
    if (pathname.includes("\0")) return notFound
    const file = path.resolve(root, `.${pathname}`)
    if (file !== root && !file.startsWith(root + path.sep)) return notFound
    const info = yield* fs.stat(file).pipe(Effect.option)
    if (Option.isSome(info) && info.value.type === "File") {
      return yield* sendFile(file, pathname.startsWith("/assets/") ? IMMUTABLE : REVALIDATE)
    }
    // a missing file (a script, an image) is a 404; a page path is the page itself
    if (path.extname(pathname) !== "" || pathname.startsWith("/assets/")) return notFound
    return yield* serveIndex
  })

  return HttpRouter.empty.pipe(
    HttpRouter.get(
      "/config.json",
      Effect.gen(function*() {
        const request = yield* HttpServerRequest.HttpServerRequest
        const host = request.headers["host"]
        const apiKey = isLocalRequest(Option.getOrUndefined(request.remoteAddress), host)
          ? Option.getOrUndefined(yield* readLocalAdminKey)
          : undefined
        const config = webConfigFor(pageUrlOf(host), services, apiKey)
        return yield* HttpServerResponse.json(encodeConfig(config), { headers: { "cache-control": "no-store" } })
      })
    ),
    HttpRouter.get("*", serveStatic),
    // a path the router cannot even decode is not found either; a file that cannot be read, our fault
    Effect.catchAll((error) =>
      Effect.succeed(
        error._tag === "RouteNotFound" ? notFound : HttpServerResponse.text("Internal error", { status: 500 })
      )
    )
  )
}

export interface WebServerOptions {
  /** The directory of the built dashboard (index.html, assets/). */
  readonly assets: string
  readonly services: Config.Config<ServiceLocations>
}

/** The dashboard on its own Node HTTP server, on WEB_PORT (default 3000) and HOST; its logs name it `web`. */
export const WebServerLive = (options: WebServerOptions) =>
  Layer.unwrapEffect(
    Effect.map(options.services, (services) => HttpServer.serve(webApp(options.assets, services), httpTelemetry))
  ).pipe(
    HttpServer.withLogAddress,
    Layer.provide(
      NodeHttpServer.layerConfig(createServer, {
        port: WebPortConfig,
        host: Config.string("HOST").pipe(Config.withDefault("0.0.0.0"))
      })
    ),
    Layer.annotateLogs(SERVICE_ANNOTATION, "web")
  )
