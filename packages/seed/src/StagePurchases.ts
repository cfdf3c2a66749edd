import { FileSystem, Path } from "@effect/platform"
import { copyPurchaseStaging, purchaseStagingLine } from "@icash/persistence"
import { Chunk, Effect, Stream } from "effect"
import type { BadRowCollector } from "./BadRows.js"
import { copyIn } from "./CopyIn.js"
import { csvRowStream } from "./CsvStream.js"
import { ImportBatches } from "./ImportBatches.js"
import { ImportProgress } from "./Progress.js"
import type { Catalog } from "./PurchaseFields.js"
import { PurchaseChecker } from "./PurchasesFile.js"
import { UnreadableFile } from "./SourceFile.js"

/** The COPY text of the staged purchases with `after < seq <= upTo`, as UTF-8. */
interface Slice {
  readonly after: number
  readonly upTo: number
  readonly text: ReadonlyArray<Uint8Array>
}

const firstSliceSize = (purchasesPerStatement: number) => Math.ceil(purchasesPerStatement / 10)

/**
 * Reads a purchases file into the staging table of the current transaction as the file is read, a
 * slice of `purchasesPerStatement` purchases at a time (the first one a tenth of that): each row is
 * checked against the catalogue, each bad one collected in `bad` with its line, each good one
 * COPied with its slice. Once a slice is staged, `onSlice` is run with its range of `seq`, while
 * the next slice is being read: reading and checking the file goes on alongside the database's
 * work, a slice ahead at most, so memory holds a few slices whatever the file's size. Whether two
 * rows are the same purchase is left to the staging table. Returns how many purchases were staged
 * (their `seq` runs from 1 to that number) and how many branch codes they name.
 */
export const stagePurchases = Effect.fn("Seed.stagePurchases")(
  function*<E, R>(
    file: string,
    catalog: Catalog,
    bad: BadRowCollector,
    onSlice: (after: number, upTo: number) => Effect.Effect<void, E, R>
  ) {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const { size } = yield* fs.stat(file).pipe(Effect.mapError((cause) => new UnreadableFile({ file, cause })))
    const { purchasesPerStatement } = yield* ImportBatches
    const progress = yield* (yield* ImportProgress).start(`loading ${path.basename(file)}`, Number(size))
    const checker = new PurchaseChecker(catalog, bad)
    let bytesRead = 0
    let rowsRead = 0
    let staged = 0
    const branchCodes = new Set<string>()
    let sliced = 0
    let text: Array<Uint8Array> = []

    const cut = (): Slice => {
      const slice = { after: sliced, upTo: staged, text }
      sliced = staged
      text = []
      return slice
    }

    const slices = csvRowStream(file, {
      onUnreadable: (row) => bad.add(row.line, [row.reason]),
      onRead: (bytes) => (bytesRead += bytes)
    }).pipe(
      // a chunk of records at a time becomes one piece of COPY text, and a full slice goes on
      Stream.mapChunks((records) => {
        let piece = ""
        for (const record of records) {
          const purchase = checker.check(record)
          if (purchase === undefined) continue
          piece += purchaseStagingLine(++staged, purchase)
          branchCodes.add(purchase.branch_code)
        }
        rowsRead += records.length
        progress.update(bytesRead, rowsRead)
        // held as bytes outside the JavaScript heap until the slice is COPied: the garbage collector
        // would otherwise copy a slice's text from generation to generation while it waits
        if (piece !== "") text.push(Buffer.from(piece))
        // the database waits for the first slice: a small one gets it started sooner
        const full = sliced === 0 ? firstSliceSize(purchasesPerStatement) : purchasesPerStatement
        return staged - sliced >= full ? Chunk.of(cut()) : Chunk.empty<Slice>()
      }),
      Stream.concat(Stream.suspend(() => (staged > sliced ? Stream.make(cut()) : Stream.empty))),
      Stream.buffer({ capacity: 1 })
    )

    yield* Stream.runForEach(slices, (slice) =>
      Effect.gen(function*() {
        const copied = yield* copyIn(copyPurchaseStaging, Stream.fromIterable(slice.text))
        if (copied !== slice.upTo - slice.after) {
          return yield* Effect.dieMessage(`staged ${slice.upTo - slice.after} purchases, but COPY took ${copied}`)
        }
        yield* onSlice(slice.after, slice.upTo)
      }))
    checker.end()
    return { purchases: staged, branches: branchCodes.size }
  },
  Effect.scoped
)
