import { type HttpApp, HttpServerError, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { MalformedRequest, RouteNotFound } from "@icash/domain"
import { Effect, Option } from "effect"

/**
 * What the HttpApi would answer without a body gets a JSON error like every other answer:
 * a body that is not JSON (the HttpApi turns it into a defect) and a path no endpoint has.
 */
export const jsonErrorResponses = <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R> =>
  app.pipe(
    Effect.catchSomeDefect((defect) =>
      isServerError(defect, "RequestError")
        ? Option.some(Effect.succeed(malformedRequest(defect)))
        : Option.none()
    ),
    Effect.catchIf(
      (error): error is E & HttpServerError.RouteNotFound => isServerError(error, "RouteNotFound"),
      () => Effect.map(HttpServerRequest.HttpServerRequest, routeNotFound)
    )
  ) as HttpApp.Default<E, R>

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

const routeNotFound = (request: HttpServerRequest.HttpServerRequest) =>
  HttpServerResponse.unsafeJson(
    new RouteNotFound({ message: `no endpoint for ${request.method} ${request.url}` }),
    { status: 404 }
  )
