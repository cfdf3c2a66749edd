import { describe, expect, it } from "@effect/vitest"
import { ProductId, UnknownProducts } from "@icash/domain"
import { bucketLabel, bucketTitle, describeError, formatMoney } from "../app/format.js"

describe("the page's formatting", () => {
  it("writes cents as money exactly, digits grouped", () => {
    expect(formatMoney(0)).toBe("0.00")
    expect(formatMoney(5)).toBe("0.05")
    expect(formatMoney(590)).toBe("5.90")
    expect(formatMoney(123456)).toBe("1,234.56")
    expect(formatMoney(100000000)).toBe("1,000,000.00")
    expect(formatMoney(-123456)).toBe("-1,234.56")
    // beyond what a float sum of decimals keeps exact
    expect(formatMoney(900719925474099)).toBe("9,007,199,254,740.99")
  })

  it("labels hours and days from their wall-clock start", () => {
    expect(bucketLabel("2025-01-06T08:00:00", "hour")).toBe("08:00")
    expect(bucketLabel("2025-01-06T00:00:00", "hour")).toBe("Jan 6")
    expect(bucketLabel("2025-03-30T00:00:00", "day")).toBe("Mar 30")
    expect(bucketTitle("2025-03-30T02:00:00", "hour")).toBe("Mar 30, 2025 02:00")
    expect(bucketTitle("2025-12-01T00:00:00", "day")).toBe("Dec 1, 2025")
  })

  it("words errors: the services' own message, or what went wrong on the way", () => {
    expect(describeError(UnknownProducts.of([ProductId.make(42)]))).toBe("unknown products: 42")
    expect(describeError({ _tag: "RequestError", request: { url: "http://localhost:8000/purchases" } }))
      .toBe("Cannot reach http://localhost:8000: is the service running?")
    expect(describeError({ _tag: "ResponseError", response: { status: 502 } })).toBe(
      "The service failed (502). Try again shortly."
    )
  })
})
