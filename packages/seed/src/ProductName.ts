import { Either } from "effect"

const MAX_LENGTH = 100

/**
 * Product names are matched case-insensitively and stored in lower case (`Milk` is `milk`),
 * as the products table requires.
 */
export const parseProductName = (text: string): Either.Either<string, string> => {
  const name = text.trim().toLowerCase()
  if (name === "") return Either.left("product name is empty")
  if (name.length > MAX_LENGTH) return Either.left(`product name is longer than ${MAX_LENGTH} characters`)
  return Either.right(name)
}
