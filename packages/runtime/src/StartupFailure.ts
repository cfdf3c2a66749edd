import { Cause, ConfigError } from "effect"

const codeOf = (error: unknown): string | undefined => {
  for (let e: unknown = error; typeof e === "object" && e !== null; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code
    if (typeof code === "string") return code
  }
  return undefined
}

const messageOf = (error: unknown) => {
  for (let e: unknown = error; typeof e === "object" && e !== null; e = (e as { cause?: unknown }).cause) {
    const cause = (e as { cause?: unknown }).cause
    if (cause === undefined || typeof cause !== "object") return String((e as { message?: unknown }).message ?? e)
  }
  return String(error)
}

/** Why a process could not start or run, in one sentence its operator can act on. */
export const describeFailure = (cause: Cause.Cause<unknown>): string => {
  const error = Cause.squash(cause)
  if (ConfigError.isConfigError(error)) return `configuration is invalid: ${String(error)}`
  const tag = typeof error === "object" && error !== null && "_tag" in error ? String(error._tag) : ""
  const code = codeOf(error)
  if (tag === "ServeError" && code === "EADDRINUSE") {
    return `${messageOf(error)}: another program uses that port; stop it, or choose another port ` +
      "(CASH_REGISTER_PORT, STORE_ANALYTICS_PORT)"
  }
  if (tag === "SqlError" && (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "28P01" || code === "28000")) {
    return `cannot use the PostgreSQL server DATABASE_URL names (${messageOf(error)}); ` +
      "check DATABASE_URL, or leave it empty to use the embedded database"
  }
  if (tag === "DataDirInUse") return messageOf(error)
  return Cause.pretty(cause)
}
