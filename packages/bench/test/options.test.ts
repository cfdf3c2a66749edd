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

  it("runs both parts by default, the analytics at 10M purchases of 2M customers", () => {
    expect(parseOptions([], {})).toMatchObject({
      part: "both",
      analytics: {
        purchases: 10_000_000,
        customers: 2_000_000,
        datasetDb: undefined,
        connections: 4,
        writeRate: 200,
        streamSamples: 50
      }
    })
  })

  it("reads the analytics part's flags", () => {
    expect(
      parseOptions([
        "--part",
        "analytics",
        "--purchases=100000",
        "--analytics-customers",
        "20000",
        "--dataset-db",
        "icash_bench_10m",
        "--analytics-seconds",
        "3",
        "--write-rate",
        "0",
        "--keep-databases"
      ], {})
    ).toMatchObject({
      part: "analytics",
      keepDatabases: true,
      analytics: { purchases: 100_000, customers: 20_000, datasetDb: "icash_bench_10m", seconds: 3, writeRate: 0 }
    })
  })

  it("refuses a part or a dataset name it cannot use", () => {
    expect(() => parseOptions(["--part", "all"], {})).toThrow()
    expect(() => parseOptions(["--dataset-db", "Prod; DROP"], {})).toThrow()
    expect(() => parseOptions(["--dataset-db", ""], {})).toThrow()
    expect(() => parseOptions(["--purchases", "0"], {})).toThrow()
  })

  it("refuses what it does not know", () => {
    expect(() => parseOptions(["--only", "both"], {})).toThrow()
    expect(() => parseOptions(["--seconds", "0"], {})).toThrow()
    expect(() => parseOptions(["--fast"], {})).toThrow()
  })
})
