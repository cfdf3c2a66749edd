import { describe, expect, it } from "@effect/vitest"
import { LoggingLive, SERVICE_ANNOTATION, splitMessage } from "@icash/runtime"
import { Cause, ConfigProvider, Effect, Layer } from "effect"
import { mkdtempSync, readdirSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { vi } from "vitest"
import { DEFAULT_LINE_BATCH } from "../src/LineBatch.js"

/** The lines written through a spy on `process.stdout.write` (the logger writes several at once). */
const writtenLines = (spy: { mock: { calls: Array<Array<unknown>> } }) =>
  spy.mock.calls.flatMap(([chunk]) => String(chunk).split("\n").filter((line) => line !== ""))

const withConfig = (entries: Record<string, string>) =>
  Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(entries))))

const lines = (file: string) => readFileSync(file, "utf8").trim().split("\n").map((line) => JSON.parse(line))

describe("logs", () => {
  it.live("are JSON lines on stdout and in the service's file, tied to the span they were written in", () =>
    Effect.gen(function*() {
      const stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true)
      const dir = mkdtempSync(path.join(tmpdir(), "icash-logs-"))
      const span = yield* Effect.gen(function*() {
        yield* Effect.logInfo("outside any request")
        const span = yield* Effect.logWarning("priced").pipe(
          Effect.annotateLogs("purchase_id", 7),
          Effect.zipRight(Effect.currentSpan),
          Effect.withSpan("Purchases.price")
        )
        yield* Effect.logInfo("for the other service").pipe(Effect.annotateLogs(SERVICE_ANNOTATION, "store-analytics"))
        yield* Effect.logDebug("below the level")
        return span
      }).pipe(Effect.provide(LoggingLive("cash-register").pipe(Layer.provide(withConfig({ LOG_DIR: dir })))))
      const printed = writtenLines(stdout).map((text) => JSON.parse(text).message)
      stdout.mockRestore()

      const own = lines(path.join(dir, "cash-register", "cash-register.log"))
      expect(own.map((l) => l.message)).toEqual(["outside any request", "priced"])
      expect(own[0]).not.toHaveProperty("trace_id")
      expect(own[1]).toMatchObject({
        level: "WARN",
        service: "cash-register",
        purchase_id: 7,
        trace_id: span.traceId,
        span_id: span.spanId
      })
      expect(lines(path.join(dir, "store-analytics", "store-analytics.log")).map((l) => l.message)).toEqual([
        "for the other service"
      ])
      expect(printed).toEqual([
        "outside any request",
        "priced",
        "for the other service"
      ])
    }))

  it.live("become events of their span from Warning up; Info lines (the access log) do not", () =>
    Effect.gen(function*() {
      const stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true)
      const span = yield* Effect.gen(function*() {
        yield* Effect.logInfo("GET /analytics/customers 200")
        yield* Effect.logWarning("the database cannot be reached")
        yield* Effect.logError("failed")
        return yield* Effect.currentSpan
      }).pipe(
        Effect.withSpan("http.server GET"),
        Effect.provide(LoggingLive("store-analytics").pipe(Layer.provide(withConfig({ LOG_DIR: "" }))))
      )
      stdout.mockRestore()
      const events = (span as unknown as { readonly events: ReadonlyArray<readonly [string, bigint, unknown]> }).events
      expect(events.map(([name]) => name)).toEqual(["the database cannot be reached", "failed"])
    }))

  it.live("always carry a string message, with every detail as a top-level field", () =>
    Effect.gen(function*() {
      const stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true)
      yield* Effect.gen(function*() {
        yield* Effect.logInfo("products loaded", { in_file: 10, added: 3 })
        yield* Effect.logWarning("database not reachable", Cause.fail(new Error("connection refused")))
        yield* Effect.logInfo("batch", 3, "of", 7)
      }).pipe(Effect.provide(LoggingLive("seed").pipe(Layer.provide(withConfig({ LOG_DIR: "" })))))
      const printed = writtenLines(stdout).map((text) => JSON.parse(text))
      stdout.mockRestore()
      for (const line of printed) expect(typeof line.message).toBe("string")
      expect(printed[0]).toMatchObject({ message: "products loaded", in_file: 10, added: 3 })
      expect(printed[1].message).toBe("database not reachable")
      expect(printed[1].cause).toContain("connection refused")
      expect(printed[2].message).toBe("batch 3 of 7")
    }))

  it("split a log call into its message and fields", () => {
    expect(splitMessage("plain")).toEqual({ message: "plain", fields: {} })
    expect(splitMessage(["loaded", { rows: 2 }, { ms: 5 }])).toEqual({ message: "loaded", fields: { rows: 2, ms: 5 } })
    expect(splitMessage([{ only: true }])).toEqual({ message: "", fields: { only: true } })
  })

  it.live("are rotated by size, keeping a bounded number of files", () =>
    Effect.gen(function*() {
      const stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true)
      const dir = mkdtempSync(path.join(tmpdir(), "icash-logs-"))
      const config = withConfig({ LOG_DIR: dir, LOG_FILE_MAX_SIZE: "1K", LOG_FILE_MAX_FILES: "2" })
      yield* Effect.forEach(
        Array.from({ length: 300 }, (_, i) => i),
        (i) => Effect.logInfo(`line ${i} ${"x".repeat(40)}`).pipe(Effect.zipRight(Effect.sleep("1 millis"))),
        { discard: true }
      ).pipe(Effect.provide(LoggingLive("seed").pipe(Layer.provide(config))))
      stdout.mockRestore()
      // the current file, at most two rotated ones, and the rotation's history list
      const files = readdirSync(path.join(dir, "seed")).filter((file) => !file.endsWith(".txt"))
      expect(files).toContain("seed.log")
      expect(files.length).toBeGreaterThan(1)
      expect(files.length).toBeLessThanOrEqual(3)
      // a file is rotated once a write takes it past its size: by at most one batch of lines
      for (const file of files) {
        expect(readFileSync(path.join(dir, "seed", file)).length).toBeLessThan(1024 + DEFAULT_LINE_BATCH.maxBytes + 200)
      }
    }))
})
