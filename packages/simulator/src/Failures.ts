import { HttpClientError } from "@effect/platform"
import { Cause, ParseResult, Predicate } from "effect"
import { errorCode } from "./Retry.js"

const CONNECTION: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  UND_ERR_SOCKET: "connection reset",
  EPIPE: "connection reset",
  ENOTFOUND: "unknown host",
  ETIMEDOUT: "connection timed out"
}

/** Why a purchase failed, in a few words that group alike failures in the summary. */
export const failureReason = (error: unknown): string => {
  if (HttpClientError.isHttpClientError(error)) {
    if (error._tag === "ResponseError") return `HTTP ${error.response.status}`
    const code = errorCode(error.cause)
    return code === undefined
      ? `request ${error.reason.toLowerCase()} error`
      : CONNECTION[code] ?? `network error ${code}`
  }
  if (Cause.isTimeoutException(error)) return "no answer in time"
  if (ParseResult.isParseError(error)) return "answer not understood"
  // the typed errors of the contract: UnknownProducts, DuplicateProducts, InternalError, ...
  if (Predicate.hasProperty(error, "_tag") && typeof error._tag === "string") return error._tag
  return "unexpected error"
}
