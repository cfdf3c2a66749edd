import { type HttpApi, HttpApiBuilder, HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { ServiceUnavailable } from "@icash/domain"
import { Config, Effect, Layer, Option } from "effect"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import { docsLive } from "./Docs.js"
import { checkRequestBody, jsonErrorResponses, MaxBodySizeLive } from "./ErrorResponses.js"
import { httpTelemetry } from "./HttpTelemetry.js"
import { SERVICE_ANNOTATION } from "./Logging.js"
import { noteFailure } from "./RequestFailure.js"
import { DrainOnStopLive, Shutdown, ShutdownLive, ShutdownMiddlewareLive } from "./Shutdown.js"

/** Headers a browser client may send: JSON bodies, the W3C / B3 trace context, keys, and a stream's resume point. */
const allowedHeaders = [
  "content-type",
  "traceparent",
  "tracestate",
  "b3",
  "idempotency-key",
  "authorization",
  "last-event-id"
]

/**
 * An HttpApi on whatever HttpServer is provided: its Swagger UI at `/docs`, its spec at
 * `/openapi.json`, access logs, CORS, JSON bodies on every error, and a server span per request
 * (continuing the caller's `traceparent`) named in the `traceresponse` header.
 * `apiLive` is the service's `HttpApiBuilder.api(...)` layer with its handlers.
 */
export const httpApiLive = <E, R>(apiLive: Layer.Layer<HttpApi.Api, E, R>) =>
  HttpApiBuilder.serve(httpTelemetry).pipe(
    Layer.provide(docsLive("/docs")),
    Layer.provide(HttpApiBuilder.middlewareOpenApi({ path: "/openapi.json" })),
    Layer.provide(HttpApiBuilder.middleware((app) => jsonErrorResponses(noteFailure(app)))),
    Layer.provide(HttpApiBuilder.middlewareCors({ allowedHeaders, exposedHeaders: ["traceresponse"] })),
    Layer.provide(ShutdownMiddlewareLive),
    Layer.provide(HttpApiBuilder.middleware(checkRequestBody)),
    Layer.provide(MaxBodySizeLive),
    Layer.provide(apiLive)
  )

export interface ServiceOptions {
  /** The service's name in logs: its requests are logged to its own file. */
  readonly service: string
  readonly portVariable: string
  readonly defaultPort: number
}

/** The port a service listens on: its variable, or its default. */
export const portConfig = (options: ServiceOptions) =>
  Config.port(options.portVariable).pipe(Config.withDefault(options.defaultPort))

/** A service of this machine on `port`, as a client here reaches it: on the interface `HOST` names, or on 127.0.0.1 when that is all of them. */
export const localServiceUrl = (port: Config.Config<number>) =>
  Effect.gen(function*() {
    const host = (yield* Config.string("HOST").pipe(Config.withDefault("0.0.0.0"))).trim()
    const reachable = ["", "0.0.0.0", "::"].includes(host) ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host
    return `http://${reachable}:${yield* port}`
  })

const STARTING = JSON.stringify(
  new ServiceUnavailable({ message: "the service is starting; retry after Retry-After seconds" })
)

/**
 * The platform's server listens as soon as it is made, and answers once an HttpApp is served on it:
 * a request in between would get no answer at all (an EventSource would wait on it for ever). Until
 * then each request is answered 503, to be retried.
 */
const answerUntilServed = (server: Server) => {
  const starting = (_request: IncomingMessage, response: ServerResponse) => {
    response.writeHead(503, { "content-type": "application/json", "retry-after": "1" })
    response.end(STARTING)
  }
  const onListener = (event: string | symbol, listener: unknown) => {
    if (event !== "request" || listener === starting) return
    server.off("request", starting)
    server.off("newListener", onListener)
  }
  server.on("request", starting)
  server.on("newListener", onListener)
}

/**
 * A Node HTTP server on the port the variable names (or its default), on `HOST` (default all
 * interfaces); a `Shutdown`, when there is one, closes it once drained.
 */
export const nodeServerLive = (options: ServiceOptions) =>
  Layer.unwrapEffect(Effect.map(Effect.serviceOption(Shutdown), (shutdown) =>
    NodeHttpServer.layerConfig(() => {
      // a client that is slow to send its headers or its request cannot hold a connection for long
      const server = createServer({ headersTimeout: 10_000, requestTimeout: 30_000 })
      answerUntilServed(server)
      if (Option.isSome(shutdown)) shutdown.value.attach(server)
      return server
    }, {
      port: portConfig(options),
      host: Config.string("HOST").pipe(Config.withDefault("0.0.0.0"))
    })))

/**
 * Serves an HttpApi on its own Node HTTP server, logging the address it listens on; its logs name
 * the service. On SIGTERM or Ctrl-C it drains before it closes (see `Shutdown`).
 */
export const serveApi = <E, R>(apiLive: Layer.Layer<HttpApi.Api, E, R>, options: ServiceOptions) =>
  DrainOnStopLive.pipe(
    Layer.provide(httpApiLive(apiLive).pipe(HttpServer.withLogAddress, Layer.provide(nodeServerLive(options)))),
    // the API and its handlers (the keys, the catalogue, the live feeds they load) are built before
    // the server that listens, so that it can answer at once: a layer is built once however often
    // it is provided, so httpApiLive's own `apiLive` is this one
    Layer.provide(apiLive),
    Layer.provide(ShutdownLive),
    Layer.annotateLogs(SERVICE_ANNOTATION, options.service)
  )
