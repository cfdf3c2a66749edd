import { NodeStream } from "@effect/platform-node"
import type { Stream } from "effect"
import { createReadStream } from "node:fs"
import { pipeline } from "node:stream"
import type { BadRow } from "./BadRows.js"
import { csvParser, type CsvRow } from "./Csv.js"
import { UnreadableFile } from "./SourceFile.js"

export interface CsvStreamOptions {
  /** Hears of each line the CSV syntax rejects, as the parser meets it. */
  readonly onUnreadable: (row: BadRow) => void
  /** Hears how many bytes of the file were just read. */
  readonly onRead?: (bytes: number) => void
}

/**
 * The records of a CSV file (see `csvOptions`), as the file is read: the file is read no faster than
 * the records are taken (Node's own backpressure between the file and the parser), so memory stays
 * flat whatever its size and however slow the reader. A file that is missing or cannot be read fails
 * the stream with `UnreadableFile`.
 */
export const csvRowStream = (
  file: string,
  { onRead, onUnreadable }: CsvStreamOptions
): Stream.Stream<CsvRow, UnreadableFile> =>
  NodeStream.fromReadable<UnreadableFile, CsvRow>(
    () => {
      const source = createReadStream(file, { highWaterMark: 256 * 1024 })
      if (onRead !== undefined) source.on("data", (bytes) => onRead(bytes.length))
      // an error of either stream ends both, and reaches the parser's reader
      return pipeline(source, csvParser(onUnreadable), () => {})
    },
    (cause) => new UnreadableFile({ file, cause })
  )
