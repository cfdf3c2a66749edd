import { FileSystem } from "@effect/platform"
import { Data, Effect } from "effect"
import { type CsvTable, parseCsv } from "./Csv.js"

/** A file that is missing or cannot be read at all. */
export class UnreadableFile extends Data.TaggedError("UnreadableFile")<{
  readonly file: string
  readonly cause: unknown
}> {
  override get message(): string {
    return `${this.file}: cannot be read (${this.cause instanceof Error ? this.cause.message : String(this.cause)})`
  }
}

/** Reads and parses a CSV file; validation is the caller's. */
export const readCsvFile = Effect.fn("Seed.readCsvFile")(function*(file: string) {
  const fs = yield* FileSystem.FileSystem
  const bytes = yield* fs.readFile(file).pipe(Effect.mapError((cause) => new UnreadableFile({ file, cause })))
  return yield* Effect.sync((): CsvTable => parseCsv(bytes))
})
