import { describe, expect, it } from "@effect/vitest"
import { type InvalidFile, MAX_REPORTED_BAD_ROWS, parseCsv, validateProducts } from "@icash/seed"
import { Either } from "effect"

const validate = (text: string) => validateProducts("products.csv", parseCsv(text))

const badRowsOf = (text: string): InvalidFile => {
  const result = validate(text)
  if (Either.isRight(result)) throw new Error("expected the file to be refused")
  return result.left
}

describe("validateProducts", () => {
  it("reads names (trimmed, lower case) and prices as exact cents", () => {
    expect(validate("\uFEFFproduct_name,unit_price\r\nMilk , 1.5\r\ntoilet paper,4\r\nyogurt,0.05\r\n")).toEqual(
      Either.right([
        { product_name: "milk", unit_price: 150 },
        { product_name: "toilet paper", unit_price: 400 },
        { product_name: "yogurt", unit_price: 5 }
      ])
    )
  })

  it("reports every bad row with its physical line and reason", () => {
    const error = badRowsOf(
      [
        "product_name,unit_price",
        "milk,1.5",
        "bread,-2",
        "eggs,three",
        "",
        ",1",
        "MILK,1.6",
        "cheese",
        "apples,0.8,extra",
        "chicken,6.505",
        "cereal,"
      ].join("\n")
    )
    expect(error.file).toBe("products.csv")
    expect(error.badRowCount).toBe(8)
    expect(error.badRows).toEqual([
      { line: 3, reason: "unit_price -2 is negative" },
      { line: 4, reason: "unit_price \"three\" is not an amount with at most two decimals" },
      { line: 6, reason: "product name is empty" },
      { line: 7, reason: "product \"milk\" is already listed on line 2" },
      { line: 8, reason: "expected 2 fields, found 1" },
      { line: 9, reason: "expected 2 fields, found 3" },
      { line: 10, reason: "unit_price \"6.505\" is not an amount with at most two decimals" },
      { line: 11, reason: "unit_price is empty" }
    ])
    expect(error.message).toBe("products.csv: 8 bad rows, nothing of this file loaded")
  })

  it("refuses a file whose header is not product_name,unit_price", () => {
    expect(badRowsOf("name,price\nmilk,1.5\n").badRows).toEqual([{
      line: 1,
      reason:
        "bad header (missing column \"product_name\", missing column \"unit_price\", unexpected column \"name\", " +
        "unexpected column \"price\"): expected the header product_name,unit_price"
    }])
  })

  it("counts every bad row but reports only the first ones", () => {
    const rows = Array.from({ length: 250 }, (_, i) => `product ${i},free`)
    const error = badRowsOf(["product_name,unit_price", ...rows].join("\n"))
    expect(error.badRowCount).toBe(250)
    expect(error.badRows).toHaveLength(MAX_REPORTED_BAD_ROWS)
    expect(error.badRows[0]!.line).toBe(2)
  })
})
