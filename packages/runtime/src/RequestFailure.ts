import type { HttpApp } from "@effect/platform"
import { Cause, Effect, FiberRef, Option } from "effect"

/**
 * The HttpApi turns a handler's typed failure into its error response before the server's tracing
 * sees it, which would leave the request's span looking successful. So the API notes the failure
 * here, and the server fails the request with it once the response is sent.
 */
const requestFailure = FiberRef.unsafeMake<Option.Option<Cause.Cause<unknown>>>(Option.none())

const errorType = (cause: Cause.Cause<unknown>) =>
  Option.match(Cause.failureOption(cause), {
    onNone: () => (Cause.isDie(cause) ? "Defect" : "Interrupted"),
    onSome: (error) =>
      typeof error === "object" && error !== null && "_tag" in error ? String(error._tag) : "UnknownError"
  })

/** API side: notes a failed request, and names the error on its span (`error.type`). */
export const noteFailure = <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R> =>
  Effect.tapErrorCause(
    app,
    (cause) =>
      Effect.zipRight(
        FiberRef.set(requestFailure, Option.some(cause)),
        Effect.annotateCurrentSpan("error.type", errorType(cause))
      )
  )

/** Server side: after the response went out, fails a request the API noted as failed, so its span is an error. */
export const failNotedFailure = <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R> =>
  Effect.flatMap(app, (response) =>
    Effect.flatMap(
      FiberRef.get(requestFailure),
      Option.match({
        onNone: () => Effect.succeed(response),
        onSome: (cause) => Effect.failCause(cause as Cause.Cause<E>)
      })
    ))
