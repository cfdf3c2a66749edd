const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i

const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0

const daysInMonth = (year: number, month: number) =>
  month === 2 ? (isLeapYear(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31

/** `Z`, `+02`, `+0200` or `-05:30` in minutes east of UTC; undefined when out of range. */
const offsetMinutes = (zone: string | undefined): number | undefined => {
  if (zone === undefined || zone.toUpperCase() === "Z") return 0
  const sign = zone.startsWith("-") ? -1 : 1
  const digits = zone.slice(1).replace(":", "")
  const hours = Number(digits.slice(0, 2))
  const minutes = Number(digits.slice(2) || "0")
  return hours > 23 || minutes > 59 ? undefined : sign * (hours * 60 + minutes)
}

/**
 * Reads an iCash timestamp such as `2025-05-26T19:51:00.539354` (no zone means UTC) into the
 * canonical `2025-05-26T19:51:00.539354Z`: always UTC, always six fractional digits, because
 * PostgreSQL keeps microseconds and a JS Date would drop them. Undefined when it is no real instant.
 */
export const parseTimestamp = (text: string): string | undefined => {
  const match = TIMESTAMP.exec(text)
  if (match === null) return undefined
  const [, year, month, day, hour, minute, second = "00", fraction = "", zone] = match
  const [y, mo, d, h, mi, s] = [year, month, day, hour, minute, second].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number
  ]
  const offset = offsetMinutes(zone)
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59 || offset === undefined) {
    return undefined
  }
  // In UTC already: the fields as they are (the checks above leave nothing for a Date to normalise).
  if (offset === 0) return `${year}-${month}-${day}T${hour}:${minute}:${second}.${fraction.padEnd(6, "0")}Z`
  const instant = new Date(0)
  instant.setUTCFullYear(y, mo - 1, d)
  instant.setUTCHours(h, mi - offset, s, 0)
  // A whole-minute offset never changes the fraction, so it is carried over digit for digit.
  return `${instant.toISOString().slice(0, 19)}.${fraction.padEnd(6, "0")}Z`
}
