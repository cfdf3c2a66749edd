import { describe, expect, it } from "@effect/vitest"
import { DEFAULT_FILES, parseArgs } from "@icash/seed"
import { Either } from "effect"

describe("parseArgs", () => {
  it("defaults to the data files of the working directory", () => {
    expect(parseArgs([])).toEqual(Either.right(DEFAULT_FILES))
    expect(DEFAULT_FILES).toEqual({ products: "data/Products_list.csv", purchases: "data/Purchases.csv" })
  })

  it("takes either file as `--option FILE` or `--option=FILE`", () => {
    expect(parseArgs(["--purchases", "p.csv", "--products=x.csv"])).toEqual(
      Either.right({ products: "x.csv", purchases: "p.csv" })
    )
  })

  it("refuses unknown arguments and missing file names, with the usage", () => {
    const unknown = parseArgs(["--product", "x.csv"])
    expect(Either.isLeft(unknown) && unknown.left.message).toMatch(/unknown argument "--product"\nusage:/)
    const missing = parseArgs(["--products"])
    expect(Either.isLeft(missing) && missing.left.message).toMatch(/--products needs a file name/)
  })
})
