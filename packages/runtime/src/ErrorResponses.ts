import {
  FileSystem,
  type HttpApp,
  HttpIncomingMessage,
  HttpServerError,
  HttpServerRequest,
  HttpServerResponse
} from "@effect/platform"
import { InternalError, MalformedRequest, PayloadTooLarge, RouteNotFound, ServiceUnavailable } from "@icash/domain"
import { Effect, Layer, Option } from "effect"
import { isDatabaseUnavailable } from "./DatabaseUnavailable.js"

/**
 * What the HttpApi would answer without a body gets a JSON error like every other answer:
 * a body that is not JSON (the HttpApi turns it into a defect), a path no endpoint has, a database
 * that cannot be reached (503: retry later), and any other defect (a bug: 500, naming the trace
 * that records its cause).
 */
export const jsonErrorResponses = <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R> =>
  app.pipe(
    Effect.catchAllDefect((defect) =>
      isServerError(defect, "RequestError")
        ? Effect.succeed(isTooLarge(defect) ? payloadTooLarge : malformedRequest(defect))
        : isDatabaseUnavailable(defect)
        ? Effect.succeed(serviceUnavailable)
        : internalError
    ),
    Effect.catchIf(
      (error): error is E & HttpServerError.RouteNotFound => isServerError(error, "RouteNotFound"),
      () => Effect.map(HttpServerRequest.HttpServerRequest, routeNotFound)
    ),
    Effect.map(withRetryAfter)
  ) as HttpApp.Default<E, R>

/** Statuses that ask the client to try again later, and when. */
const RETRY_AFTER_SECONDS: Record<number, string> = { 409: "1", 429: "1", 503: "2" }

/** A 409, 429 or 503 says when to retry, unless whoever made it already did. */
const withRetryAfter = (response: HttpServerResponse.HttpServerResponse) => {
  const seconds = RETRY_AFTER_SECONDS[response.status]
  return seconds === undefined || response.headers["retry-after"] !== undefined
    ? response
    : HttpServerResponse.setHeader(response, "retry-after", seconds)
}

const isServerError = <Tag extends HttpServerError.HttpServerError["_tag"]>(
  error: unknown,
  tag: Tag
): error is Extract<HttpServerError.HttpServerError, { _tag: Tag }> =>
  HttpServerError.isServerError(error) && error._tag === tag

const malformedRequest = (error: HttpServerError.RequestError) =>
  HttpServerResponse.unsafeJson(
    new MalformedRequest({
      message: error.reason === "Decode" ? "request body is not valid JSON" : "request body could not be read"
    }),
    { status: 400 }
  )

const internalError = Effect.map(Effect.option(Effect.currentSpan), (span) =>
  HttpServerResponse.unsafeJson(
    new InternalError({
      message: "something went wrong on our side; the trace id names the request",
      ...(span._tag === "Some" ? { trace_id: span.value.traceId } : {})
    }),
    { status: 500 }
  ))

/** The most a request body may hold: a purchase of the most items allowed takes about 40 KB. */
export const MAX_BODY_BYTES = 256 * 1024

// what @effect/platform-node's body reader fails with past MaxBodySize
const isTooLarge = (error: HttpServerError.RequestError) =>
  error.cause instanceof Error && error.cause.message === "maxBytes exceeded"

const payloadTooLarge = HttpServerResponse.unsafeJson(
  new PayloadTooLarge({ message: `request body is larger than ${MAX_BODY_BYTES / 1024} KB` }),
  { status: 413 }
)

/**
 * Refuses a body larger than MAX_BODY_BYTES at once when its Content-Length says so (the body is
 * then left unread, and Node discards it without breaking the connection). A body without one is
 * cut while it is read: see MaxBodySizeLive.
 */
export const limitBodySize = <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R> =>
  Effect.flatMap(
    HttpServerRequest.HttpServerRequest,
    (request) => Number(request.headers["content-length"]) > MAX_BODY_BYTES ? Effect.succeed(payloadTooLarge) : app
  )

/**
 * The body reader's limit for every request of a server, set once in its context rather than per
 * request (`withMaxBodySize` copies the request's Context and FiberRefs each time).
 */
export const MaxBodySizeLive = Layer.succeed(
  HttpIncomingMessage.MaxBodySize,
  Option.some(FileSystem.Size(MAX_BODY_BYTES))
)

const serviceUnavailable = HttpServerResponse.unsafeJson(
  new ServiceUnavailable({ message: "the database cannot be reached right now; retry after Retry-After seconds" }),
  { status: 503 }
)

const routeNotFound = (request: HttpServerRequest.HttpServerRequest) =>
  HttpServerResponse.unsafeJson(
    new RouteNotFound({ message: `no endpoint for ${request.method} ${request.url}` }),
    { status: 404 }
  )
