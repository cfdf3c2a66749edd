import { formatCents } from "@icash/domain"
import { DateTime } from "effect"

const LOCALE = "en-US"

/** Cents as money, exactly: 1234567 → "12,345.67" (digits grouped, two decimals, no float arithmetic). */
export const formatMoney = (cents: number): string => {
  const [whole = "0", fraction = "00"] = formatCents(cents).split(".")
  const negative = whole.startsWith("-")
  const digits = negative ? whole.slice(1) : whole
  return `${negative ? "-" : ""}${digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${fraction}`
}

export const formatCount = (n: number): string => n.toLocaleString(LOCALE)

export const formatDateTime = (instant: DateTime.DateTime): string =>
  DateTime.toDate(instant).toLocaleString(LOCALE, { dateStyle: "medium", timeStyle: "medium" })

export const formatTime = (date: Date): string => date.toLocaleTimeString(LOCALE)

/** A day of the browser's calendar: `Jun 1, 2025`. */
export const formatDay = (date: Date): string => date.toLocaleDateString(LOCALE, { dateStyle: "medium" })

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

/**
 * A bucket's label from its wall-clock start (`local_start`, e.g. `2025-01-06T08:00:00`, already in
 * the time zone asked for): `08:00` for hours (`Jan 6` at midnight), `Jan 6` for days.
 */
export const bucketLabel = (localStart: string, bucket: "hour" | "day"): string => {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(localStart)
  if (match === null) return localStart
  const [, , month, day, hour, minute] = match
  const date = `${MONTHS[Number(month) - 1] ?? month} ${Number(day)}`
  if (bucket === "day") return date
  return hour === "00" && minute === "00" ? date : `${hour}:${minute}`
}

/** The full wall-clock start of a bucket, for tooltips: `Jan 6, 2025 08:00`. */
export const bucketTitle = (localStart: string, bucket: "hour" | "day"): string => {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(localStart)
  if (match === null) return localStart
  const [, year, month, day, hour, minute] = match
  const date = `${MONTHS[Number(month) - 1] ?? month} ${Number(day)}, ${year}`
  return bucket === "day" ? date : `${date} ${hour}:${minute}`
}

interface Tagged {
  readonly _tag?: unknown
  readonly message?: unknown
  readonly reason?: unknown
  readonly request?: { readonly url?: unknown }
  readonly response?: { readonly status?: unknown }
}

/**
 * An error in words for the person at the screen. The services' errors are tagged JSON with a
 * `message`, which the typed clients decode into the domain's error classes; the rest are the
 * client's own (unreachable service, unexpected answer).
 */
export const describeError = (error: unknown): string => {
  if (typeof error === "object" && error !== null) {
    const e = error as Tagged
    if (e._tag === "RequestError") {
      const url = typeof e.request?.url === "string" ? new URL(e.request.url).origin : "the service"
      return `Cannot reach ${url}: is the service running?`
    }
    if (e._tag === "ResponseError") {
      const status = e.response?.status
      if (status === 404) return "The service does not offer this yet (404)."
      if (typeof status === "number" && status >= 500) return `The service failed (${status}). Try again shortly.`
      return `The service gave an unexpected answer (${String(status)}).`
    }
    if (e._tag === "ParseError") return `Unexpected data: ${String(e.message)}`
    if (typeof e.message === "string" && e.message !== "") return e.message
  }
  return String(error)
}
