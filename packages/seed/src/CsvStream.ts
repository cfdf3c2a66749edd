import { FileSystem } from "@effect/platform"
import { NodeStream } from "@effect/platform-node"
import { Effect, Stream } from "effect"
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
 * The records of a CSV file (see `csvOptions`), as the file is read: memory stays flat whatever
 * its size. A file that is missing or cannot be read fails the stream with `UnreadableFile`.
 */
export const csvRowStream = (
  file: string,
  { onRead, onUnreadable }: CsvStreamOptions
): Stream.Stream<CsvRow, UnreadableFile, FileSystem.FileSystem> =>
  Stream.unwrap(Effect.map(FileSystem.FileSystem, (fs) =>
    fs.stream(file, { chunkSize: FileSystem.KiB(256) }).pipe(
      Stream.tap((bytes) => Effect.sync(() => onRead?.(bytes.length))),
      Stream.mapError((cause) => new UnreadableFile({ file, cause })),
      NodeStream.pipeThroughDuplex<UnreadableFile, CsvRow>(
        () => csvParser(onUnreadable),
        (cause) => new UnreadableFile({ file, cause })
      )
    )))
