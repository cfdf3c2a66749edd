import { HttpApp, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Cause, Clock, Effect, Metric, MetricBoundaries, Option } from "effect"

/** Request latency, seconds, per method, route and status: the histogram behind a latency dashboard. */
export const requestDuration = Metric.histogram(
  "http.server.request.duration",
  MetricBoundaries.exponential({ start: 0.001, factor: 2, count: 14 }),
  "Duration of HTTP server requests, in seconds"
)

const errorType = (cause: Cause.Cause<unknown>) =>
  Option.match(Cause.failureOption(cause), {
    onNone: () => (Cause.isDie(cause) ? "Defect" : "Interrupted"),
    onSome: (error) =>
      typeof error === "object" && error !== null && "_tag" in error ? String(error._tag) : "UnknownError"
  })

/**
 * Runs inside each request's server span: names the trace in a W3C `traceresponse` header on every
 * answer (errors included), marks a failed request's span with the error's tag (`error.type`),
 * and records the request's duration per route.
 */
export const httpTelemetry = <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R> =>
  Effect.gen(function*() {
    const span = yield* Effect.option(Effect.currentSpan)
    const request = yield* HttpServerRequest.HttpServerRequest
    const startedAt = yield* Clock.currentTimeNanos
    yield* HttpApp.appendPreResponseHandler((_, response) =>
      Effect.gen(function*() {
        const seconds = Number((yield* Clock.currentTimeNanos) - startedAt) / 1e9
        const route = Option.flatMap(span, (s) => Option.fromNullable(s.attributes.get("http.route")))
        yield* Metric.update(
          requestDuration.pipe(
            Metric.tagged("http.request.method", request.method),
            Metric.tagged("http.route", String(Option.getOrElse(route, () => "unmatched"))),
            Metric.tagged("http.response.status_code", String(response.status))
          ),
          seconds
        )
        return Option.match(span, {
          onNone: () => response,
          onSome: (s) =>
            HttpServerResponse.setHeader(response, "traceresponse", `00-${s.traceId}-${s.spanId}-${s.sampled ? "01" : "00"}`)
        })
      })
    )
    return yield* app.pipe(
      Effect.tapErrorCause((cause) => Effect.annotateCurrentSpan("error.type", errorType(cause)))
    )
  })
