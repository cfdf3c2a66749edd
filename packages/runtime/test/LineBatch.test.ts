import { describe, expect, it } from "@effect/vitest"
import { setTimeout as sleep } from "node:timers/promises"
import { lineBatch } from "../src/LineBatch.js"

describe("lineBatch", () => {
  it("hands over the lines of a burst together, once, after the delay", async () => {
    const written: Array<string> = []
    const lines = lineBatch((text) => written.push(text), { maxDelayMs: 30, maxBytes: 1000 })
    lines.write("a")
    lines.write("b")
    expect(written).toEqual([])
    await sleep(60)
    expect(written).toEqual(["a\nb\n"])
    lines.write("c")
    await sleep(60)
    expect(written).toEqual(["a\nb\n", "c\n"])
  })

  it("hands over at once when the pending lines reach the size bound", () => {
    const written: Array<string> = []
    const lines = lineBatch((text) => written.push(text), { maxDelayMs: 60_000, maxBytes: 10 })
    lines.write("12345")
    expect(written).toEqual([])
    lines.write("67890")
    expect(written).toEqual(["12345\n67890\n"])
  })

  it("flush hands over what is pending, and nothing when nothing is", () => {
    const written: Array<string> = []
    const lines = lineBatch((text) => written.push(text), { maxDelayMs: 60_000, maxBytes: 1000 })
    lines.flush()
    lines.write("x")
    lines.flush()
    lines.flush()
    expect(written).toEqual(["x\n"])
  })
})
