import {
  FileSystem,
  type HttpApp,
  HttpIncomingMessage,
  HttpMethod,
  HttpServerError,
  HttpServerRequest,
  HttpServerResponse
} from "@effect/platform"
import {
  InternalError,
  MalformedRequest,
  PayloadTooLarge,
  RouteNotFound,
  ServiceUnavailable,
  UnsupportedMediaType
} from "@icash/domain"
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

// The HttpApi reads a body as JSON when its Content-Type names application/json, or when it has
// none; any other type it reads as a form, multipart, text or bytes.
const isJson = (contentType: string) => contentType.toLowerCase().includes("application/json")

const hasBody = (request: HttpServerRequest.HttpServerRequest) =>
  HttpMethod.hasBody(request.method) &&
  (Number(request.headers["content-length"]) > 0 || request.headers["transfer-encoding"] !== undefined)

const unsupportedMediaType = (contentType: string) =>
  HttpServerResponse.unsafeJson(
    new UnsupportedMediaType({
      message: `request body must be JSON: send it with Content-Type: application/json (this one was ${contentType})`
    }),
    { status: 415 }
  )

/**
 * Checks a request's body before an endpoint reads it. A body larger than MAX_BODY_BYTES by its
 * Content-Length is refused at once with a 413 (the body is then left unread, and Node discards
 * it without breaking the connection; a body without one is cut while it is read: see
 * MaxBodySizeLive). A body of another type than JSON, the only one iCash takes, gets a 415: the
 * endpoint would read it as something else and refuse it with a 400 that names no cause (curl's
 * `-d` sends a form, for one).
 */
export const checkRequestBody = <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R> =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
    if (Number(request.headers["content-length"]) > MAX_BODY_BYTES) return Effect.succeed(payloadTooLarge)
    const contentType = request.headers["content-type"]
    return contentType !== undefined && !isJson(contentType) && hasBody(request)
      ? Effect.succeed(unsupportedMediaType(contentType))
      : app
  })

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
