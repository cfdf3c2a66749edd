import { Context } from "effect"

/**
 * How much the import handles at once. The defaults suit files of millions of purchases; tests
 * make them small to go through many batches with a small file.
 */
export class ImportBatches extends Context.Reference<ImportBatches>()("seed/ImportBatches", {
  defaultValue: () => ({
    /**
     * Purchases written per statement: each statement's work for the triggers on purchases and
     * purchase_items (the foreign keys' checks, the rollups) stays bounded. Measured on 1M
     * purchases: as fast as one statement for them all, 17% faster than 100,000 per statement.
     */
    purchasesPerStatement: 250_000,
    /** Bytes of COPY text per statement on PGlite (about 50,000 purchases), which holds them in memory. */
    bytesPerBlob: 8 * 1024 * 1024
  })
}) {}
