import { FileSystem, Path } from "@effect/platform"
import { copyPurchaseStaging, purchaseStagingLine } from "@icash/persistence"
import { Chunk, Effect, Stream } from "effect"
import type { BadRowCollector } from "./BadRows.js"
import { copyIn } from "./CopyIn.js"
import { csvRowStream } from "./CsvStream.js"
import { ImportProgress } from "./Progress.js"
import type { Catalog } from "./PurchaseFields.js"
import { PurchaseChecker } from "./PurchasesFile.js"
import { UnreadableFile } from "./SourceFile.js"

/**
 * Reads a purchases file into the staging table of the current transaction as the file is read:
 * each row is checked against the catalogue, each good one COPied, each bad one collected in
 * `bad` with its line. Whether two rows are the same purchase is left to the staging table.
 * Returns how many purchases were staged (their `seq` runs from 1 to that number).
 */
export const stagePurchases = Effect.fn("Seed.stagePurchases")(
  function*(file: string, catalog: Catalog, bad: BadRowCollector) {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const { size } = yield* fs.stat(file).pipe(Effect.mapError((cause) => new UnreadableFile({ file, cause })))
    const progress = yield* (yield* ImportProgress).start(`reading ${path.basename(file)}`, Number(size))
    const checker = new PurchaseChecker(catalog, bad)
    let bytesRead = 0
    let rowsRead = 0
    let staged = 0

    const text = csvRowStream(file, {
      onUnreadable: (row) => bad.add(row.line, [row.reason]),
      onRead: (bytes) => (bytesRead += bytes)
    }).pipe(
      // a chunk of records at a time becomes one piece of COPY text
      Stream.mapChunks((records) => {
        let text = ""
        for (const record of records) {
          const purchase = checker.check(record)
          if (purchase !== undefined) text += purchaseStagingLine(++staged, purchase)
        }
        rowsRead += records.length
        progress.update(bytesRead, rowsRead)
        return text === "" ? Chunk.empty<string>() : Chunk.of(text)
      })
    )

    const copied = yield* copyIn(copyPurchaseStaging, text)
    checker.end()
    if (copied !== staged) return yield* Effect.dieMessage(`staged ${staged} purchases, but COPY took ${copied}`)
    return staged
  },
  Effect.scoped
)
