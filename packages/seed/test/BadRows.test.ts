import { describe, expect, it } from "@effect/vitest"
import { BadRowCollector, InvalidFile, MAX_REPORTED_BAD_ROWS } from "@icash/seed"

describe("BadRowCollector", () => {
  it("keeps the first bad rows of the file, even when a check finds some of them last", () => {
    const bad = new BadRowCollector()
    for (let line = 1000; line < 1150; line++) bad.add(line, ["wrong total"])
    // found afterwards (the repeated purchases are found once the whole file is read)
    bad.add(10, ["same purchase as line 2"])
    bad.add(2000, ["same purchase as line 3"])
    bad.addUnreported(5)
    const error = InvalidFile.fromCollector("p.csv", bad)
    expect(error.badRowCount).toBe(157)
    expect(error.badRows).toHaveLength(MAX_REPORTED_BAD_ROWS)
    expect(error.badRows[0]).toEqual({ line: 10, reason: "same purchase as line 2" })
    expect(error.badRows.at(-1)).toEqual({ line: 1098, reason: "wrong total" })
  })

  it("ignores a row without reasons", () => {
    const bad = new BadRowCollector()
    bad.add(3, [])
    expect(bad.isEmpty).toBe(true)
  })
})
