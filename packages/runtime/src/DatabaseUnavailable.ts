/**
 * Whether a failure means the database cannot be reached (rather than that it refused something):
 * no connection could be made or kept, the server is shutting down, ended our session or cancelled
 * our statement, or it has no connection left for us. Such a request may succeed if retried later.
 */
export const isDatabaseUnavailable = (failure: unknown): boolean => {
  for (let error = failure, depth = 0; typeof error === "object" && error !== null && depth < 5; depth++) {
    const { code, message } = error as { readonly code?: unknown; readonly message?: unknown }
    if (typeof code === "string" && (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.test(code))) return true
    if (typeof message === "string" && LOST_CONNECTION.test(message)) return true
    error = (error as { readonly cause?: unknown }).cause
  }
  return false
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN"
])

// 08xxx connection exceptions, 57P01-57P03 shutdowns and sessions ended by an administrator,
// 57014 a statement cancelled (by an administrator, or by a cancel meant for an earlier statement),
// 53300 too many connections
const UNAVAILABLE_SQLSTATES = /^(08...|57P0[123]|57014|53300)$/

// what node-postgres says when a connection is lost or cannot be had in time
const LOST_CONNECTION =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly/i
