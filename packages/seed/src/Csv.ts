import { type Options, Parser } from "csv-parse"
import { parse } from "csv-parse/sync"
import type { Transform } from "node:stream"
import type { BadRow } from "./BadRows.js"

/** A record of a CSV file with the physical line it starts on (the first line is 1). */
export interface CsvRow {
  readonly line: number
  readonly fields: ReadonlyArray<string>
}

export interface CsvTable {
  /** Every record, the header included. */
  readonly rows: ReadonlyArray<CsvRow>
  /** Lines the CSV syntax itself rejects (a stray quote, a quote never closed). */
  readonly unreadable: ReadonlyArray<BadRow>
}

const LINE_BREAK = /\r\n|\n|\r/g

const lineBreaksIn = (fields: ReadonlyArray<string>): number => {
  let count = 0
  for (const field of fields) {
    if (field.includes("\n") || field.includes("\r")) count += field.match(LINE_BREAK)!.length
  }
  return count
}

/**
 * csv-parse's options for CSV as people's files have it: an optional UTF-8 byte-order mark, LF or
 * CRLF line ends, spaces around the commas, blank lines. Each record comes out as a `CsvRow`; each
 * line the CSV syntax rejects (a stray quote, a quote never closed) goes to `onUnreadable`.
 */
export const csvOptions = (onUnreadable: (row: BadRow) => void): Options<CsvRow, Array<string>> => ({
  bom: true,
  trim: true,
  record_delimiter: ["\r\n", "\n", "\r"],
  skip_empty_lines: true,
  // A short or long row is reported with its line like any other bad row, not thrown.
  relax_column_count: true,
  skip_records_with_error: true,
  on_skip: (error) => {
    if (error !== undefined) onUnreadable({ line: Number(error.lines), reason: error.message })
    return undefined
  },
  // `lines` is where the record ends; a quoted field may span lines, and people look for the first.
  // trim leaves a line of spaces as one empty field: it is as blank as an empty line.
  on_record: (fields, context) =>
    fields.length === 1 && fields[0] === "" ? null : { line: context.lines - lineBreaksIn(fields), fields }
})

// csv-parse's types tell what on_record returns only along with the `columns` option: the options
// go in as plain ones, and what comes out are CsvRows.
const untypedOptions = (onUnreadable: (row: BadRow) => void) => csvOptions(onUnreadable) as unknown as Options

/** Parses CSV text whole (see `csvOptions`). */
export const parseCsv = (input: string | Uint8Array): CsvTable => {
  const unreadable: Array<BadRow> = []
  const rows = parse(input, untypedOptions((row) => unreadable.push(row))) as unknown as Array<CsvRow>
  return { rows, unreadable }
}

/** A streaming parser with `csvOptions`: a Node Transform of bytes in, `CsvRow`s out. */
export const csvParser = (onUnreadable: (row: BadRow) => void): Transform => new Parser(untypedOptions(onUnreadable))

/** Where each expected column sits in the file's header. */
export type ColumnIndex<Column extends string> = Readonly<Record<Column, number>>

export interface CsvColumns<Column extends string> {
  readonly index: ColumnIndex<Column>
  readonly width: number
}

/**
 * Reads the header: it must name exactly the expected columns (any order, any case).
 * Returns the column positions, or the reason the header is wrong.
 */
export const readHeader = <const Column extends string>(
  header: CsvRow | undefined,
  expected: ReadonlyArray<Column>
): CsvColumns<Column> | BadRow => {
  const expectation = `expected the header ${expected.join(",")}`
  if (header === undefined) return { line: 1, reason: `the file is empty: ${expectation}` }
  const names = header.fields.map((name) => name.toLowerCase())
  const missing = expected.filter((column) => !names.includes(column))
  const unexpected = names.filter((name) => !(expected as ReadonlyArray<string>).includes(name))
  const repeated = names.filter((name, i) => names.indexOf(name) !== i)
  if (missing.length > 0 || unexpected.length > 0 || repeated.length > 0) {
    const problems = [
      ...missing.map((column) => `missing column "${column}"`),
      ...unexpected.map((name) => `unexpected column "${name}"`),
      ...repeated.map((name) => `column "${name}" appears twice`)
    ]
    return { line: header.line, reason: `bad header (${problems.join(", ")}): ${expectation}` }
  }
  const index = Object.fromEntries(expected.map((column) => [column, names.indexOf(column)])) as ColumnIndex<Column>
  return { index, width: names.length }
}

export const isBadRow = (value: object): value is BadRow => "reason" in value

/** The reason a row has the wrong number of fields, if it has. */
export const widthProblem = (row: CsvRow, width: number): string | undefined =>
  row.fields.length === width ? undefined : `expected ${width} fields, found ${row.fields.length}`
