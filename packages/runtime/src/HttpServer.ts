import { HttpApi, HttpApiBuilder, HttpApiSwagger, HttpMiddleware, HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Config, Layer } from "effect"
import { createServer } from "node:http"
import { jsonErrorResponses } from "./ErrorResponses.js"

/** Headers a browser client may send: JSON bodies and the W3C / B3 trace context. */
const allowedHeaders = ["content-type", "traceparent", "tracestate", "b3", "idempotency-key", "authorization"]

/**
 * Serves an HttpApi with its Swagger UI at `/docs` and spec at `/openapi.json`, access logs and CORS.
 * `apiLive` is the service's `HttpApiBuilder.api(...)` layer with its handlers.
 */
export const serveApi = <E, R>(
  apiLive: Layer.Layer<HttpApi.Api, E, R>,
  options: { readonly portVariable: string; readonly defaultPort: number }
) =>
  HttpApiBuilder.serve(HttpMiddleware.logger).pipe(
    Layer.provide(HttpApiSwagger.layer({ path: "/docs" })),
    Layer.provide(HttpApiBuilder.middlewareOpenApi({ path: "/openapi.json" })),
    Layer.provide(HttpApiBuilder.middleware(jsonErrorResponses)),
    Layer.provide(HttpApiBuilder.middlewareCors({ allowedHeaders, exposedHeaders: ["traceresponse"] })),
    Layer.provide(apiLive),
    HttpServer.withLogAddress,
    Layer.provide(
      NodeHttpServer.layerConfig(createServer, {
        port: Config.port(options.portVariable).pipe(Config.withDefault(options.defaultPort)),
        host: Config.string("HOST").pipe(Config.withDefault("0.0.0.0"))
      })
    )
  )
