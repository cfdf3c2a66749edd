import { Context } from "effect"

/**
 * How much the import handles at once. The defaults suit files of millions of purchases; tests
 * make them small to go through many batches with a small file.
 */
export class ImportBatches extends Context.Reference<ImportBatches>()("seed/ImportBatches", {
  defaultValue: () => ({
    /**
     * Purchases per slice: COPied, then written by one statement while the next slice is read.
     * Smaller, the database starts sooner and finishes sooner after the file's end; larger, the
     * rollups fold fewer, bigger statements. Memory holds about three slices of COPY text.
     */
    purchasesPerStatement: 100_000,
    /** Bytes of COPY text per statement on PGlite (about 50,000 purchases), which holds them in memory. */
    bytesPerBlob: 8 * 1024 * 1024
  })
}) {}
