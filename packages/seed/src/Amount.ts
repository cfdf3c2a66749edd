import { type Cents, parseDecimalCents } from "@icash/domain"
import { Either } from "effect"

/** Reads a price or total such as `4.5` into exact cents, or says what is wrong with it. */
export const parseAmount = (column: string, text: string): Either.Either<Cents, string> => {
  if (text === "") return Either.left(`${column} is empty`)
  const amount = parseDecimalCents(text)
  if (amount === undefined) return Either.left(`${column} "${text}" is not an amount with at most two decimals`)
  if (amount < 0) return Either.left(`${column} ${text} is negative`)
  return Either.right(amount)
}
