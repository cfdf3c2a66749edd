import { describe, expect, it } from "vitest"
import { parseOptions } from "../src/options.js"

describe("bench options", () => {
  it("defaults to 32 connections, 3 s warm-up, 20 s measured, both servers", () => {
    expect(parseOptions([], {})).toMatchObject({ connections: 32, warmup: 3, seconds: 20, rounds: 1, only: undefined })
  })

  it("reads flags in both spellings, and BENCH_DATABASE_URL", () => {
    expect(
      parseOptions(["--connections", "8", "--seconds=5", "--only", "floor"], { BENCH_DATABASE_URL: "postgres://x/y" })
    )
      .toMatchObject({ connections: 8, seconds: 5, only: "floor", adminUrl: "postgres://x/y" })
  })

  it("refuses what it does not know", () => {
    expect(() => parseOptions(["--only", "both"], {})).toThrow()
    expect(() => parseOptions(["--seconds", "0"], {})).toThrow()
    expect(() => parseOptions(["--fast"], {})).toThrow()
  })
})
