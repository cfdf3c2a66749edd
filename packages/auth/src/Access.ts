import * as RateLimiter from "@effect/experimental/RateLimiter"
import { HttpApp, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import {
  AdminRole,
  AnalystRole,
  AnyRole,
  Caller,
  Forbidden,
  RegisterRole,
  type Role,
  TooManyRequests,
  Unauthorized
} from "@icash/domain"
import { Config, type Context, Duration, Effect, Layer, Redacted } from "effect"
import { KeyRegistry } from "./KeyRegistry.js"

/**
 * Requests a register or analyst key may make per second (a burst of that many, refilled over the
 * second); 0 turns the limit off. Admin keys (operators, the simulator, load tests) have none.
 */
export const RateLimitConfig = Config.integer("API_KEY_RATE_LIMIT").pipe(
  Config.validate({ message: "API_KEY_RATE_LIMIT must be 0 or more", validation: (n) => n >= 0 }),
  Config.withDefault(50)
)

const article = (role: Role) => (role === "admin" || role === "analyst" ? "an" : "a")

const refuse = (allowed: ReadonlyArray<Role>, role: Role) =>
  new Forbidden({
    message: `${article(role)} ${role} key may not use this endpoint; it takes ${
      allowed.map((r) => `${article(r)} ${r}`).join(" or ")
    } key`
  })

/** Why a request's Authorization header does not name a valid key, in words for its sender. */
const unauthorized = (header: string | undefined) =>
  new Unauthorized({
    message: header === undefined || header.trim() === ""
      ? "missing Authorization header: send Authorization: Bearer <API key>"
      : !/^Bearer /i.test(header)
      ? "the Authorization header must be Bearer <API key>"
      : "unknown or revoked API key"
  })

const makeCheck = Effect.gen(function*() {
  const registry = yield* KeyRegistry
  const limiter = yield* RateLimiter.RateLimiter
  const limit = yield* RateLimitConfig

  const withinLimit = (keyId: string) =>
    limiter.consume({ algorithm: "token-bucket", window: "1 second", limit, key: keyId, onExceeded: "fail" }).pipe(
      Effect.catchAll((error) => {
        if (error.reason !== "Exceeded") return Effect.die(error)
        const seconds = String(Math.max(1, Math.ceil(Duration.toSeconds(error.retryAfter))))
        return HttpApp.appendPreResponseHandler((_, response) =>
          Effect.succeed(HttpServerResponse.setHeader(response, "retry-after", seconds))
        ).pipe(Effect.zipRight(
          new TooManyRequests({
            message: `this key made more than ${limit} requests in a second; retry after ${seconds} s`
          })
        ))
      })
    )

  const refused = (refusal: Unauthorized | Forbidden) =>
    Effect.zipRight(
      Effect.logInfo(`request refused: ${refusal.message}`).pipe(Effect.annotateLogs("status", refusal._tag)),
      Effect.fail(refusal)
    )

  // Why a key was not found, from the header itself: read only then, the usual path needs no more
  // than the token HttpApiSecurity.bearer took from it.
  const notFound = Effect.flatMap(
    HttpServerRequest.HttpServerRequest,
    (request) => refused(unauthorized(request.headers["authorization"]))
  )

  /** The caller, when the request's key is valid, allowed here, and within its rate. */
  return (allowed: ReadonlyArray<Role>) => (token: Redacted.Redacted) => {
    const secret = Redacted.value(token).trim()
    const found = secret === "" ? Effect.succeed(undefined) : registry.authenticate(secret)
    return Effect.flatMap(found, (key): Effect.Effect<
      Context.Tag.Service<Caller>,
      Unauthorized | Forbidden | TooManyRequests,
      HttpServerRequest.HttpServerRequest
    > => {
      if (key === undefined) return notFound
      if (!allowed.includes(key.role)) {
        return refused(refuse(allowed, key.role)).pipe(Effect.annotateLogs("api_key_id", key.id))
      }
      const caller = Caller.of({ keyId: key.id, role: key.role, branchId: key.branch_id ?? undefined })
      return Effect.zipRight(
        Effect.annotateCurrentSpan("icash.api_key.id", key.id),
        key.role !== "admin" && limit > 0 ? Effect.as(withinLimit(key.id), caller) : Effect.succeed(caller)
      )
    })
  }
})

/**
 * The access middlewares of the contracts: each checks the request's API key (see KeyRegistry)
 * against the roles it lets through, then provides the `Caller`. Refusals are 401, 403 and 429.
 */
export const AccessLive = Layer.unwrapEffect(
  Effect.map(makeCheck, (check) =>
    Layer.mergeAll(
      Layer.succeed(AnyRole, { apiKey: check(AnyRole.roles) }),
      Layer.succeed(RegisterRole, { apiKey: check(RegisterRole.roles) }),
      Layer.succeed(AnalystRole, { apiKey: check(AnalystRole.roles) }),
      Layer.succeed(AdminRole, { apiKey: check(AdminRole.roles) })
    ))
).pipe(
  Layer.provide([KeyRegistry.Default, RateLimiter.layer.pipe(Layer.provide(RateLimiter.layerStoreMemory))])
)
