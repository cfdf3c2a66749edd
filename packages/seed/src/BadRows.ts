import { Data, Either } from "effect"

/** A row of a file that cannot be loaded: its physical line (the header is line 1) and why. */
export interface BadRow {
  readonly line: number
  readonly reason: string
}

/** The reasons among parsed fields that failed, in field order. */
export const reasonsOf = (
  ...fields: ReadonlyArray<Either.Either<unknown, string | ReadonlyArray<string>>>
): Array<string> => fields.flatMap((field) => Either.isLeft(field) ? field.left : [])

/** Enough to fix a file in one go without flooding the terminal on a file that is wrong throughout. */
export const MAX_REPORTED_BAD_ROWS = 100

/**
 * Collects bad rows, keeping the `MAX_REPORTED_BAD_ROWS` first ones in the file (whatever the order
 * they are found in) but counting them all.
 */
export class BadRowCollector {
  readonly reported: Array<BadRow> = []
  count = 0
  /** The greatest line among those reported. */
  private lastLine = 0

  add(line: number, reasons: ReadonlyArray<string>): void {
    if (reasons.length === 0) return
    this.count++
    if (this.reported.length < MAX_REPORTED_BAD_ROWS) {
      this.reported.push({ line, reason: reasons.join("; ") })
      this.lastLine = Math.max(this.lastLine, line)
    } else if (line < this.lastLine) {
      // a row found later but earlier in the file takes the place of the last one kept
      const last = this.reported.findIndex((row) => row.line === this.lastLine)
      this.reported[last] = { line, reason: reasons.join("; ") }
      this.lastLine = Math.max(...this.reported.map((row) => row.line))
    }
  }

  /** Counts bad rows known to be past the first ones reported (their lines and reasons are not needed). */
  addUnreported(count: number): void {
    this.count += count
  }

  get isEmpty(): boolean {
    return this.count === 0
  }
}

/** A file with bad rows: none of it has been written. */
export class InvalidFile extends Data.TaggedError("InvalidFile")<{
  readonly file: string
  /** The first bad rows, in file order. */
  readonly badRows: ReadonlyArray<BadRow>
  /** All of them, including those beyond the report's cap. */
  readonly badRowCount: number
}> {
  static fromCollector(file: string, collector: BadRowCollector) {
    const badRows = [...collector.reported].sort((a, b) => a.line - b.line)
    return new InvalidFile({ file, badRows, badRowCount: collector.count })
  }

  override get message(): string {
    return `${this.file}: ${this.badRowCount} bad row${this.badRowCount === 1 ? "" : "s"}, nothing of this file loaded`
  }
}

/** The report a person reads to fix the file: one line per bad row. */
export const formatInvalidFile = (error: InvalidFile): string => {
  const lines = [error.message, ...error.badRows.map((row) => `  line ${row.line}: ${row.reason}`)]
  const unreported = error.badRowCount - error.badRows.length
  if (unreported > 0) lines.push(`  ... and ${unreported} more bad row${unreported === 1 ? "" : "s"}`)
  return lines.join("\n")
}
