import { describe, expect, it } from "vitest"
import {
  coveredCustomers,
  type DatasetMarker,
  markerComment,
  parseMarker,
  setseedValue,
  slices
} from "../src/analytics/dataset.js"
import { endpointsToMeasure } from "../src/analytics/endpoints.js"
import { bucketKeys, productKeys, wholeRange } from "../src/analytics/exactness.js"
import { analyticsProblems, type AnalyticsResult, analyticsTargets } from "../src/analytics/report.js"
import { percentile, summarizeLatencies } from "../src/analytics/stats.js"
import { parseSse } from "../src/analytics/stream.js"

describe("the dataset's plan", () => {
  it("cuts the purchases into slices that cover each number once", () => {
    expect(slices(1_200_000, 500_000)).toEqual([
      { first: 1, last: 500_000 },
      { first: 500_001, last: 1_000_000 },
      { first: 1_000_001, last: 1_200_000 }
    ])
    expect(slices(3, 500_000)).toEqual([{ first: 1, last: 3 }])
    expect(slices(1_000_000, 500_000)).toHaveLength(2)
  })

  it("gives every customer a first purchase when purchases are at least twice the customers", () => {
    expect(coveredCustomers(10_000_000, 2_000_000)).toBe(2_000_000)
    expect(coveredCustomers(100_000, 2_000_000)).toBe(50_000)
    expect(coveredCustomers(1, 10)).toBe(0)
  })

  it("seeds random() with a value PostgreSQL takes (-1 to 1)", () => {
    for (const seed of [1, 2, 1_000_003, 2 ** 31]) {
      expect(Math.abs(setseedValue(seed))).toBeLessThanOrEqual(1)
    }
    expect(setseedValue(1)).not.toBe(setseedValue(2))
  })

  it("recognises its own marker, and nothing else", () => {
    const marker: DatasetMarker = {
      purchases: 10_000_000,
      customers: 2_000_000,
      seed: 1,
      generatedAt: "2026-11-26T10:00:00.000Z",
      generationSeconds: 600
    }
    expect(parseMarker(markerComment(marker))).toEqual(marker)
    expect(parseMarker(null)).toBeUndefined()
    expect(parseMarker("the production database")).toBeUndefined()
    expect(parseMarker("{\"icashBenchDataset\":{\"purchases\":\"many\"}}")).toBeUndefined()
  })
})

describe("latency figures", () => {
  it("takes nearest-rank percentiles", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1)
    expect(percentile(values, 50)).toBe(50)
    expect(percentile(values, 99)).toBe(99)
    expect(percentile(values, 100)).toBe(100)
    expect(percentile([7], 99)).toBe(7)
    expect(percentile([], 50)).toBeNaN()
  })

  it("summarizes unsorted values", () => {
    expect(summarizeLatencies([3, 1, 2, 10])).toEqual({ count: 4, p50: 2, p90: 10, p99: 10, max: 10, mean: 4 })
    expect(summarizeLatencies([]).count).toBe(0)
  })
})

describe("the server-sent events parser", () => {
  it("returns whole events and keeps the incomplete rest", () => {
    const { events, rest } = parseSse(
      "retry: 2000\n\nid: 7\nevent: message\ndata: {\"a\":1}\n\n: heartbeat\n\nid: 8\nda"
    )
    expect(events).toEqual([{ id: "7", event: "message", data: "{\"a\":1}" }])
    expect(rest).toBe("id: 8\nda")
    expect(parseSse(`${rest}ta: {}\n\n`).events).toEqual([{ id: "8", event: undefined, data: "{}" }])
  })

  it("joins data lines and takes CRLF line ends", () => {
    expect(parseSse("data: a\r\ndata:b\r\n\r\n").events).toEqual([{ id: undefined, event: undefined, data: "a\nb" }])
  })
})

describe("the endpoints measured", () => {
  it("cover every analytics endpoint, the deep page only when there is one", () => {
    const paths = endpointsToMeasure(2, { cursor: "a+b/c=", rows: 5000 }).map((e) => e.path)
    expect(paths).toContain("/analytics/customers")
    expect(paths).toContain("/analytics/loyal-customers?min_purchases=3&limit=100&cursor=a%2Bb%2Fc%3D")
    expect(paths.filter((p) => p.startsWith("/analytics/sales"))).toHaveLength(4)
    expect(paths.filter((p) => p.includes("branch_id=2"))).toHaveLength(2)
    expect(endpointsToMeasure(2, undefined)).toHaveLength(paths.length - 1)
  })
})

describe("the exactness check", () => {
  it("compares money in cents and counts as numbers, whichever side it comes from", () => {
    expect(productKeys([{ product_id: 3, units_sold: 10, revenue: 14.9, rank: 1 }])).toEqual(
      productKeys([{ product_id: 3, units_sold: "10" as unknown as number, revenue: "14.90", rank: "1" as never }])
    )
    expect(bucketKeys([
      { local_start: "2026-11-25T00:00:00", purchases: 0, revenue: 0 },
      { local_start: "2026-11-26T00:00:00", purchases: 2, revenue: 3.5 }
    ])).toEqual(bucketKeys([{ local_start: "2026-11-26T00:00:00", purchases: "2", revenue: "3.50" }]))
  })

  it("asks for whole UTC days and hours, the current one included", () => {
    const now = new Date("2026-11-26T10:15:00Z")
    expect(wholeRange(now, 86_400_000, 30)).toEqual({
      from: new Date("2026-10-28T00:00:00Z"),
      to: new Date("2026-11-27T00:00:00Z")
    })
    expect(wholeRange(now, 3_600_000, 24).to).toEqual(new Date("2026-11-26T11:00:00Z"))
  })
})

describe("the analytics targets", () => {
  const latency = (p99: number) => ({ count: 100, p50: 1, p90: 2, p99, max: p99 + 1, mean: 1 })
  const load = (rate: number | undefined, p99: number) => ({
    rate,
    seconds: 10,
    answered: 100,
    requestsPerSecond: 10,
    latency: latency(p99),
    otherStatuses: {},
    connectionErrors: 0,
    timeouts: 0,
    errors: 0
  })
  // saturated, each answer waits behind the others: ten times the paced p99
  const endpoint = (name: string, p99: number) => ({
    name,
    path: "/",
    saturated: load(undefined, p99 * 10),
    paced: load(100, p99),
    floorPaced: load(100, p99 / 2)
  })
  const result = (changes: Partial<AnalyticsResult>): AnalyticsResult => ({
    dataset: {} as AnalyticsResult["dataset"],
    storeAnalytics: {
      command: "",
      readyMs: 1,
      idleRss: 90e6,
      peakRss: 120e6,
      afterRss: 100e6,
      highWaterRss: 120e6,
      cpuCores: 0.5
    },
    endpoints: [endpoint("a", 2), endpoint("b", 4.5)],
    writes: {
      rate: 200,
      seconds: 10,
      sent: 2000,
      created: 2000,
      otherStatuses: {},
      errors: 0,
      skipped: 0,
      latency: latency(10)
    },
    stream: {
      samples: 2,
      lagsMs: [100, 300],
      lag: latency(300),
      notSeen: 0,
      postErrors: 0,
      readYourWrites: { checked: 2, counted: 2 }
    },
    exactness: [{ name: "x", ok: true, detail: "" }],
    floorAgrees: [{ name: "floor = iCash, a", ok: true, detail: "" }],
    cpu: { cashRegisterCores: 0, floorCores: 0, postgresCores: 0, benchCores: 0, otherBusy: 0 },
    ...changes
  })
  const met = (r: AnalyticsResult) => Object.fromEntries(analyticsTargets(r).map((t) => [t.name, t.met]))

  it("are met when every endpoint's paced p99, the peak RSS and the slowest event are within bounds", () => {
    expect(met(result({}))).toEqual({ p99Ms: true, rssBytes: true, streamLagMs: true, errors: true, exact: true })
    expect(analyticsTargets(result({}))[0]!.text).toContain("(b, at 100 req/s)")
  })

  it("are missed by the worst endpoint, an event never seen, an error or a mismatch", () => {
    expect(met(result({ endpoints: [endpoint("a", 2), endpoint("b", 5.01)] })).p99Ms).toBe(false)
    const base = result({})
    expect(met(result({ stream: { ...base.stream, notSeen: 1 } })).streamLagMs).toBe(false)
    expect(met(result({ writes: { ...base.writes, errors: 1 } })).errors).toBe(false)
    expect(met(result({ exactness: [{ name: "x", ok: false, detail: "" }] })).exact).toBe(false)
    expect(met(result({ floorAgrees: [{ name: "floor = iCash, a", ok: false, detail: "" }] })).exact).toBe(false)
    expect(met(result({ stream: { ...base.stream, readYourWrites: { checked: 2, counted: 1 } } })).exact).toBe(false)
  })

  it("fail the run for wrong answers and failed requests, not for missed speed or memory", () => {
    const base = result({})
    expect(analyticsProblems(result({ endpoints: [endpoint("a", 50)] }))).toEqual([])
    expect(analyticsProblems(result({ exactness: [{ name: "top products", ok: false, detail: "d" }] }))).toEqual([
      "top products: d"
    ])
    expect(analyticsProblems(result({ floorAgrees: [{ name: "floor = iCash, a", ok: false, detail: "d" }] })))
      .toEqual(["floor = iCash, a: d"])
    // the floor failing a request says something of the machine, nothing of iCash
    const failingFloor = { ...endpoint("a", 2), floorPaced: { ...load(100, 2), errors: 3, otherStatuses: { 401: 3 } } }
    expect(analyticsProblems(result({ endpoints: [failingFloor] }))).toEqual([])
    expect(analyticsProblems(result({ writes: { ...base.writes, errors: 2, otherStatuses: { 500: 2 } } }))).toEqual([
      "writes: 2 errors {\"500\":2}"
    ])
    expect(analyticsProblems(result({ stream: { ...base.stream, readYourWrites: { checked: 2, counted: 1 } } })))
      .toHaveLength(1)
  })
})
