import { HttpApp, HttpMiddleware, HttpServerError, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import {
  Cause,
  Clock,
  Context,
  DefaultServices,
  Effect,
  Equal,
  HashSet,
  LogLevel,
  Metric,
  MetricBoundaries,
  Option,
  type Tracer
} from "effect"
import { isDatabaseUnavailable } from "./DatabaseUnavailable.js"
import { failNotedFailure } from "./RequestFailure.js"

/** Request latency, seconds, per method, route and status: the histogram behind a latency dashboard. */
export const requestDuration = Metric.histogram(
  "http.server.request.duration",
  MetricBoundaries.exponential({ start: 0.001, factor: 2, count: 14 }),
  "Duration of HTTP server requests, in seconds"
)

/** The client went away mid-request: not our failure (the platform answers it with a 499 nobody reads). */
const clientDisconnected = (cause: Cause.Cause<unknown>) =>
  HashSet.some(Cause.interruptors(cause), (id) => Equal.equals(id, HttpServerError.clientAbortFiberId)) ||
  Cause.reduce(
    cause,
    false,
    (found, part) =>
      Option.some(
        found || (part._tag === "Die" && HttpServerResponse.isServerResponse(part.defect) && part.defect.status === 499)
      )
  )

/**
 * A defect is logged as an error, with its cause, unless it is not a bug: a database that cannot be
 * reached (a warning), or a body that cannot be read, not JSON or too large (the client's: its
 * access log line says enough).
 */
const logDefect = (request: HttpServerRequest.HttpServerRequest, url: string, cause: Cause.Cause<unknown>) =>
  Option.match(Cause.dieOption(cause), {
    onNone: () => Effect.void,
    onSome: (defect) =>
      isDatabaseUnavailable(defect)
        ? Effect.logWarning(`${request.method} ${url}: the database cannot be reached`)
        : HttpServerError.isServerError(defect) && defect._tag === "RequestError"
        ? Effect.void
        : Effect.logError(`${request.method} ${url} failed`, cause)
  })

// One tagged histogram per (method, route, status), made once: tagging allocates and hashes.
const durations = new Map<string, Metric.Metric.Histogram<number>>()
const durationOf = (method: string, route: string, status: number) => {
  const key = `${method} ${route} ${status}`
  let metric = durations.get(key)
  if (metric === undefined) {
    metric = requestDuration.pipe(
      Metric.tagged("http.request.method", method),
      Metric.tagged("http.route", route),
      Metric.tagged("http.response.status_code", String(status))
    )
    durations.set(key, metric)
  }
  return metric
}

/** Query parameters whose values may name a customer (a loyal-customers cursor holds one). */
const CUSTOMER_PARAMETERS = /([?&]cursor=)[^&]*/g

/**
 * A request's URL as logs and spans show it: customer ids stay out of them (a cursor's value is
 * replaced by `redacted`).
 */
export const loggableUrl = (url: string) => url.replace(CUSTOMER_PARAMETERS, "$1redacted")

/** What the access log, the duration metric and the `traceresponse` header need of a request. */
const answered = (
  request: HttpServerRequest.HttpServerRequest,
  url: string,
  span: Tracer.Span | undefined,
  clock: Clock.Clock,
  startedAt: bigint
): HttpApp.PreResponseHandler =>
(_, response) =>
  Effect.withFiberRuntime((fiber) => {
    const seconds = Number(clock.unsafeCurrentTimeNanos() - startedAt) / 1e9
    const route = String(span?.attributes.get("http.route") ?? "")
    durationOf(request.method, route === "" ? "unmatched" : route, response.status).unsafeUpdate(seconds, [])
    const traced = span === undefined ? response : HttpServerResponse.setHeader(
      response,
      "traceresponse",
      `00-${span.traceId}-${span.spanId}-${span.sampled ? "01" : "00"}`
    )
    if (fiber.getFiberRef(HttpMiddleware.loggerDisabled)) return Effect.succeed(traced)
    const level = response.status >= 500 ? LogLevel.Warning : LogLevel.Info
    // the fields as a part of the message (the logger makes them top-level fields): cheaper than annotations
    return Effect.as(
      Effect.logWithLevel(level, `${request.method} ${url} ${response.status}`, {
        "http.request.method": request.method,
        "http.route": route,
        "url.path": url,
        "http.response.status_code": response.status,
        "duration_ms": Math.round(seconds * 1e4) / 10
      }),
      traced
    )
  })

/**
 * Runs inside each request's server span: names the trace in a W3C `traceresponse` header on every
 * answer (errors included), marks a failed request's span as an error, records the request's
 * duration per route, and writes the access log line (with the cause only for a defect: a bug).
 * Written with the fiber at hand rather than a generator: it runs on every request.
 */
export const httpTelemetry = <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R> => {
  const handled = failNotedFailure(app)
  return Effect.withFiberRuntime((fiber) => {
    const current = fiber.currentSpan
    const span = current?._tag === "Span" ? current : undefined
    const request = Context.unsafeGet(fiber.currentContext, HttpServerRequest.HttpServerRequest)
    const url = loggableUrl(request.url)
    if (url !== request.url && span !== undefined) {
      span.attribute("url.query", url.slice(url.indexOf("?") + 1))
      span.attribute("url.full", "redacted: it names a customer")
    }
    const clock = Context.get(fiber.getFiberRef(DefaultServices.currentServices), Clock.Clock)
    return HttpApp.appendPreResponseHandler(answered(request, url, span, clock, clock.unsafeCurrentTimeNanos())).pipe(
      Effect.zipRight(handled),
      Effect.tapErrorCause((cause) =>
        clientDisconnected(cause)
          ? Effect.logInfo(`${request.method} ${url}: the client disconnected before the answer`).pipe(
            Effect.annotateLogs({ "http.request.method": request.method, "url.path": url })
          )
          : logDefect(request, url, cause)
      )
    )
  })
}
