import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { type BadRow, csvRowStream, parseCsv, readHeader, UnreadableFile } from "@icash/seed"
import { Chunk, Effect, Stream } from "effect"

describe("parseCsv", () => {
  it("reads files as people have them: byte-order mark, CRLF, spaces after commas, quoted lists", () => {
    const table = parseCsv("\uFEFFproduct_name, unit_price\r\nmilk, 1.5\r\n  toilet paper ,4\r\n")
    expect(table.rows).toEqual([
      { line: 1, fields: ["product_name", "unit_price"] },
      { line: 2, fields: ["milk", "1.5"] },
      { line: 3, fields: ["toilet paper", "4"] }
    ])
    expect(table.unreadable).toEqual([])
  })

  it("keeps a quoted comma-separated list as one field, even with spaces around the quotes", () => {
    const table = parseCsv(Buffer.from("a,b,c\nSMKT001, \"eggs, milk\" ,4.5\n"))
    expect(table.rows[1]).toEqual({ line: 2, fields: ["SMKT001", "eggs, milk", "4.5"] })
  })

  it("numbers rows by physical line, skipping blank lines and lines of spaces, CR-only ends too", () => {
    const table = parseCsv("h1,h2\r\n\r\nx,1\n   \ny,2\rz,3")
    expect(table.rows.map((row) => [row.line, row.fields[0]])).toEqual([[1, "h1"], [3, "x"], [5, "y"], [6, "z"]])
  })

  it("gives a record spanning lines the line it starts on", () => {
    const table = parseCsv("h1,h2\n\"multi\nline\",1\nnext,2\n")
    expect(table.rows.map((row) => row.line)).toEqual([1, 2, 4])
  })

  it("keeps rows of the wrong width for the validator to report", () => {
    expect(parseCsv("a,b\n1\n1,2,3\n").rows.map((row) => row.fields.length)).toEqual([2, 1, 3])
  })

  it("reports lines the CSV syntax rejects, with their line, instead of throwing", () => {
    const table = parseCsv("a,b\n1,2\n3,x\"y\n5,6\n")
    expect(table.rows.map((row) => row.line)).toEqual([1, 2, 4])
    expect(table.unreadable).toHaveLength(1)
    expect(table.unreadable[0]!.line).toBe(3)
    expect(table.unreadable[0]!.reason).toMatch(/quote/i)
  })
})

describe("readHeader", () => {
  const expected = ["product_name", "unit_price"] as const

  it("finds the columns in any order and any case", () => {
    expect(readHeader({ line: 1, fields: ["Unit_Price", "PRODUCT_NAME"] }, expected)).toEqual({
      index: { product_name: 1, unit_price: 0 },
      width: 2
    })
  })

  it("names what is wrong with a header", () => {
    const bad = readHeader({ line: 1, fields: ["name", "unit_price", "unit_price"] }, expected)
    expect(bad).toMatchObject({ line: 1 })
    expect("reason" in bad && bad.reason).toBe(
      "bad header (missing column \"product_name\", unexpected column \"name\", column \"unit_price\" appears twice): " +
        "expected the header product_name,unit_price"
    )
  })

  it("says when the file is empty", () => {
    expect(readHeader(undefined, expected)).toEqual({
      line: 1,
      reason: "the file is empty: expected the header product_name,unit_price"
    })
  })
})

describe("csvRowStream", () => {
  const streamed = (text: string) =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const file = yield* fs.makeTempFileScoped({ suffix: ".csv" })
      yield* fs.writeFileString(file, text)
      const unreadable: Array<BadRow> = []
      let read = 0
      const rows = yield* Stream.runCollect(
        csvRowStream(file, { onUnreadable: (row) => unreadable.push(row), onRead: (bytes) => (read += bytes) })
      )
      return { rows: Chunk.toArray(rows), unreadable, read }
    }).pipe(Effect.provide(NodeContext.layer))

  it.scoped("reads a file into the rows parseCsv gives, with the same lines, as it goes", () =>
    Effect.gen(function*() {
      const text = "\uFEFFh1,h2\r\n\r\nx,1\n   \n\"multi\nline\",2\n3,x\"y\ny,2\rz,3"
      const { read, rows, unreadable } = yield* streamed(text)
      expect({ rows, unreadable }).toEqual(parseCsv(text))
      expect(rows.map((row) => row.line)).toEqual([1, 3, 5, 8, 9])
      expect(unreadable.map((row) => row.line)).toEqual([7])
      expect(read).toBe(Buffer.byteLength(text))
    }))

  it.scoped("numbers the lines of a file of many chunks", () =>
    Effect.gen(function*() {
      // far beyond one chunk of the file (256 KiB)
      const lines = Array.from({ length: 50_000 }, (_, i) => `row ${i},${"x".repeat(i % 20)}`)
      const { rows } = yield* streamed(["a,b", ...lines].join("\n"))
      expect(rows).toHaveLength(50_001)
      expect(rows[40_000]).toEqual({ line: 40_001, fields: ["row 39999", "x".repeat(39_999 % 20)] })
    }))

  it.effect("fails with UnreadableFile on a file that is not there", () =>
    Effect.gen(function*() {
      const error = yield* Stream.runDrain(csvRowStream("/nonexistent.csv", { onUnreadable: () => {} })).pipe(
        Effect.flip,
        Effect.provide(NodeContext.layer)
      )
      expect(error).toBeInstanceOf(UnreadableFile)
      expect(error.message).toMatch(/^\/nonexistent\.csv: cannot be read/)
    }))
})
