import type { Cents, CustomerId, ProductId } from "@icash/domain"

/** A valid purchase row of an iCash purchases file, before it is resolved against the branches. */
export interface PurchaseToStage {
  /** The physical line of the file it was read from. */
  readonly line: number
  /** Identifies the purchase across runs, so that loading a file twice adds nothing. */
  readonly import_key: string
  readonly branch_code: string
  readonly user_id: CustomerId
  /** ISO 8601 UTC, up to microseconds. */
  readonly timestamp: string
  readonly total_amount: Cents
  readonly items: ReadonlyArray<{ readonly product_id: ProductId; readonly unit_price: Cents }>
}

/**
 * The temporary table a purchases file is loaded into by COPY, before set-based statements write
 * what it holds (see ImportRepo). It lives as long as the import's transaction. `seq` numbers its
 * rows 1, 2, 3... in file order; money is in cents.
 */
export const PURCHASE_STAGING = "purchase_import"

export const createPurchaseStaging = `
  CREATE TEMPORARY TABLE ${PURCHASE_STAGING} (
    seq         integer NOT NULL,
    line        integer NOT NULL,
    import_key  uuid NOT NULL,
    branch_code text NOT NULL,
    user_id     uuid NOT NULL,
    "timestamp" timestamptz NOT NULL,
    total_cents bigint NOT NULL,
    product_ids integer[] NOT NULL,
    unit_cents  bigint[] NOT NULL
  ) ON COMMIT DROP`

/** `COPY` into the staging table, in PostgreSQL's text format, from `source` (`STDIN`, or a file name). */
export const copyPurchaseStaging = (source: string) =>
  `COPY ${PURCHASE_STAGING} (seq, line, import_key, branch_code, user_id, "timestamp", total_cents, ` +
  `product_ids, unit_cents) FROM ${source}`

/**
 * One line of COPY text for the staging table. No field needs escaping: codes, UUIDs, timestamps,
 * hex keys and numbers never hold a tab, a newline or a backslash.
 */
export const purchaseStagingLine = (seq: number, purchase: PurchaseToStage): string => {
  let productIds = ""
  let unitCents = ""
  for (const item of purchase.items) {
    productIds += productIds === "" ? item.product_id : `,${item.product_id}`
    unitCents += unitCents === "" ? item.unit_price : `,${item.unit_price}`
  }
  return `${seq}\t${purchase.line}\t${purchase.import_key}\t${purchase.branch_code}\t${purchase.user_id}\t` +
    `${purchase.timestamp}\t${purchase.total_amount}\t{${productIds}}\t{${unitCents}}\n`
}
