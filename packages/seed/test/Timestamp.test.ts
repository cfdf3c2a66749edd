import { describe, expect, it } from "@effect/vitest"
import { parseTimestamp } from "@icash/seed"

describe("parseTimestamp", () => {
  it("reads a timestamp without a zone as UTC and keeps its microseconds", () => {
    expect(parseTimestamp("2025-05-26T19:51:00.539354")).toBe("2025-05-26T19:51:00.539354Z")
  })

  it("pads shorter fractions and missing seconds", () => {
    expect(parseTimestamp("2025-05-26T19:51:00.5")).toBe("2025-05-26T19:51:00.500000Z")
    expect(parseTimestamp("2025-05-26 19:51")).toBe("2025-05-26T19:51:00.000000Z")
  })

  it("converts an explicit zone to UTC, so the same instant written two ways is equal", () => {
    expect(parseTimestamp("2025-05-26T21:51:00.539354+02:00")).toBe("2025-05-26T19:51:00.539354Z")
    expect(parseTimestamp("2025-01-01T00:30:00-0100")).toBe("2025-01-01T01:30:00.000000Z")
    expect(parseTimestamp("2025-05-26T19:51:00.539354Z")).toBe("2025-05-26T19:51:00.539354Z")
  })

  it("knows leap years", () => {
    expect(parseTimestamp("2024-02-29T10:00:00")).toBe("2024-02-29T10:00:00.000000Z")
    expect(parseTimestamp("2025-02-29T10:00:00")).toBeUndefined()
  })

  it.each([
    "",
    "yesterday",
    "2025-13-01T10:00:00",
    "2025-04-31T10:00:00",
    "2025-05-26T24:00:00",
    "2025-05-26T10:60:00",
    "2025-05-26T10:00:60",
    "2025-05-26",
    "2025-05-26T10:00:00.1234567",
    "2025-05-26T10:00:00+25:00",
    "26/05/2025 10:00"
  ])("refuses %j", (text) => {
    expect(parseTimestamp(text)).toBeUndefined()
  })
})
