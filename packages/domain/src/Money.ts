import { ParseResult, Schema } from "effect"

/**
 * Money is kept as an integer number of cents everywhere inside the system, so sums are exact.
 * On the wire it is a JSON number with at most two decimals (`5.9`, `13608.9`).
 */
export const Cents = Schema.Int.pipe(Schema.brand("Cents"))
export type Cents = typeof Cents.Type

export const cents = (n: number): Cents => Cents.make(n)

export const sumCents = (amounts: Iterable<Cents>): Cents => {
  let total = 0
  for (const amount of amounts) total += amount
  return Cents.make(total)
}

/** Largest amount whose cents are still exact in a double. */
const MAX_CENTS = Number.MAX_SAFE_INTEGER

/** Parses a decimal string such as `"5.9"`, `"13608.90"` or `"-0.05"` into exact cents. */
export const parseDecimalCents = (text: string): Cents | undefined => {
  const match = /^\s*(-?)(\d+)(?:\.(\d{0,2}))?\s*$/.exec(text)
  if (match === null) return undefined
  const [, sign, whole, fraction = ""] = match
  const value = Number(whole) * 100 + Number(fraction.padEnd(2, "0"))
  if (!Number.isSafeInteger(value) || value > MAX_CENTS) return undefined
  return Cents.make(sign === "-" && value !== 0 ? -value : value)
}

/** Formats cents as a plain decimal string with two places, e.g. `590` → `"5.90"`. */
export const formatCents = (amount: number): string => {
  const abs = Math.abs(amount)
  const text = `${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, "0")}`
  return amount < 0 ? `-${text}` : text
}

/** A money amount on the wire: a JSON number with at most two decimals. */
export const Money = Schema.transformOrFail(Schema.Number, Cents, {
  strict: true,
  decode: (n, _, ast) => {
    const parsed = Number.isFinite(n) ? parseDecimalCents(String(n)) : undefined
    return parsed === undefined
      ? ParseResult.fail(new ParseResult.Type(ast, n, `${n} is not an amount of money with at most two decimals`))
      : ParseResult.succeed(parsed)
  },
  // cents / 100 is the double nearest the exact decimal, and JSON prints it as that decimal.
  encode: (amount) => ParseResult.succeed(amount / 100)
}).annotations({ identifier: "Money", description: "Amount of money, at most two decimals", examples: [cents(590)] })

/** A money amount as PostgreSQL returns NUMERIC: a decimal string. */
export const MoneyFromDecimalString = Schema.transformOrFail(Schema.String, Cents, {
  strict: true,
  decode: (text, _, ast) => {
    const parsed = parseDecimalCents(text)
    return parsed === undefined
      ? ParseResult.fail(new ParseResult.Type(ast, text, `"${text}" is not an amount of money`))
      : ParseResult.succeed(parsed)
  },
  encode: (amount) => ParseResult.succeed(formatCents(amount))
})
