import { HttpClient, type HttpClientError, type HttpClientResponse } from "@effect/platform"
import { Clock, Duration, Effect, Either, Option, Random } from "effect"

export interface RetryPolicy {
  /** Retries of one request at most. */
  readonly maxRetries: number
  /** The wait after a first connection failure; it doubles on each retry (with jitter), up to `maxBackoff`. */
  readonly backoff: Duration.Duration
  readonly maxBackoff: Duration.Duration
  /** The longest `Retry-After` a 503 or 429 may ask for and still be retried. */
  readonly maxRetryAfter: Duration.Duration
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 5,
  backoff: Duration.millis(100),
  maxBackoff: Duration.seconds(2),
  maxRetryAfter: Duration.seconds(10)
}

/** Connection failures that happen before any response: the server cannot have answered the request. */
const BEFORE_RESPONSE = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "UND_ERR_SOCKET"])

/** The error code of a transport failure (Node's, or undici's under fetch), looking through its causes. */
export const errorCode = (error: unknown): string | undefined => {
  for (let e: unknown = error, depth = 0; typeof e === "object" && e !== null && depth < 8; depth++) {
    const code = (e as { readonly code?: unknown }).code
    if (typeof code === "string") return code
    e = (e as { readonly cause?: unknown }).cause
  }
  return undefined
}

/** Whether a request failed as the connection was refused or reset, before a response began. */
export const isConnectionFailure = (error: HttpClientError.HttpClientError) =>
  error._tag === "RequestError" && error.reason === "Transport" && BEFORE_RESPONSE.has(errorCode(error.cause) ?? "")

/** A `Retry-After` header: seconds, or an HTTP date. */
export const parseRetryAfter = (value: string | undefined, now: number): Option.Option<Duration.Duration> => {
  if (value === undefined) return Option.none()
  const text = value.trim()
  if (/^\d+$/.test(text)) return Option.some(Duration.seconds(Number(text)))
  const date = Date.parse(text)
  return Number.isNaN(date) ? Option.none() : Option.some(Duration.millis(Math.max(0, date - now)))
}

/**
 * How long to wait before sending a request again, or None. Only what the server cannot have
 * processed is retried: a connection refused or reset before any response, and a 503 (database
 * unreachable) or 429 (the key over its rate) that says when to come back (`Retry-After`). Never
 * another 4xx, a 500 or a timeout.
 */
export const retryDelay = (
  outcome: Either.Either<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>,
  retries: number,
  policy: RetryPolicy,
  now: number,
  /** uniform in [0, 1): spreads the registers' retries apart */
  jitter: number
): Option.Option<Duration.Duration> => {
  if (retries >= policy.maxRetries) return Option.none()
  if (Either.isLeft(outcome)) {
    if (!isConnectionFailure(outcome.left)) return Option.none()
    const backoff = Duration.min(Duration.times(policy.backoff, 2 ** retries), policy.maxBackoff)
    return Option.some(Duration.times(backoff, 0.5 + jitter / 2))
  }
  const response = outcome.right
  if (response.status !== 503 && response.status !== 429) return Option.none()
  return parseRetryAfter(response.headers["retry-after"], now).pipe(
    Option.filter((wait) => Duration.lessThanOrEqualTo(wait, policy.maxRetryAfter))
  )
}

export interface RetryOptions {
  readonly policy: RetryPolicy
  /** Completes when the simulator stops: a request waiting to be retried gives up with its last outcome. */
  readonly stopping: Effect.Effect<void>
  /** Told of every retry. */
  readonly onRetry: Effect.Effect<void>
}

/**
 * Sends a request again when `retryDelay` says it is safe, as the very same request: with the same
 * headers (its `Idempotency-Key` among them) and body.
 */
export const retrySafely = (options: RetryOptions) => (client: HttpClient.HttpClient): HttpClient.HttpClient =>
  HttpClient.transform(client, (send) => {
    const attempt = (
      retries: number
    ): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> =>
      Effect.gen(function*() {
        const outcome = yield* Effect.either(send)
        const delay = retryDelay(outcome, retries, options.policy, yield* Clock.currentTimeMillis, yield* Random.next)
        if (Option.isNone(delay)) return yield* outcome
        const stopped = yield* Effect.raceFirst(
          Effect.as(Effect.sleep(delay.value), false),
          Effect.as(options.stopping, true)
        )
        if (stopped) return yield* outcome
        // the 503's body, read so that its connection can serve the retry
        if (Either.isRight(outcome)) yield* Effect.ignore(outcome.right.arrayBuffer)
        yield* options.onRetry
        return yield* attempt(retries + 1)
      })
    return attempt(0)
  })
