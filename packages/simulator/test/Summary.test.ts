import { describe, expect, it } from "@effect/vitest"
import { formatSummary, statusLine, type Summary } from "@icash/simulator"

const summary: Summary = {
  stoppedBy: { _tag: "Interrupted" },
  counts: {
    sent: 104,
    acknowledged: 100,
    failed: 4,
    retries: 2,
    failures: { "connection refused": 1, "HTTP 503": 3 }
  },
  elapsedMillis: 20_400,
  seed: 42,
  targetRate: 5,
  registers: 9
}

describe("what the simulator prints", () => {
  it("sums up a run: sent, acknowledged, failed by reason (most first), duration, rate and seed", () => {
    expect(formatSummary(summary)).toBe(
      [
        "Simulator done (stopped by Ctrl-C)",
        "  sent          104 purchases (2 retries)",
        "  acknowledged  100",
        "  failed        4: HTTP 503 x3, connection refused x1",
        "  duration      20.4 s",
        "  rate          4.9 purchases/s acknowledged",
        "  seed          42 (--seed 42 rings up the same baskets again)"
      ].join("\n")
    )
    expect(formatSummary({ ...summary, stoppedBy: { _tag: "Count", count: 1 } })).toMatch(
      /^Simulator done \(1 purchase acknowledged\)/
    )
  })

  it("says when the registers could not keep up the rate asked for", () => {
    const slow = {
      ...summary,
      counts: { sent: 100, acknowledged: 100, failed: 0, retries: 0, failures: {} },
      targetRate: 50
    }
    expect(formatSummary(slow)).toContain(
      "(50/s asked for: the 9 registers were waiting for answers; more --registers go faster)"
    )
    expect(formatSummary({ ...slow, targetRate: 5 })).not.toContain("asked for")
  })

  it("shows the live counts on one line", () => {
    expect(statusLine(summary.counts, 65_000, 4.94)).toBe(
      "01:05  sent 104  acknowledged 100  failed 4  in flight 0  4.9/s"
    )
    expect(statusLine(summary.counts, 3_725_000, 0)).toMatch(/^1:02:05 /)
  })
})
