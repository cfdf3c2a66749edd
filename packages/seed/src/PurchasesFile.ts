import { formatCents } from "@icash/domain"
import type { PurchaseToStage } from "@icash/persistence"
import { Either } from "effect"
import { parseAmount } from "./Amount.js"
import { BadRowCollector, InvalidFile, reasonsOf } from "./BadRows.js"
import { type CsvColumns, type CsvRow, type CsvTable, isBadRow, readHeader, widthProblem } from "./Csv.js"
import { importKey } from "./ImportKey.js"
import { type Catalog, parseBranchCode, parseItemsList, parseTimestampField, parseUserId } from "./PurchaseFields.js"

export const PURCHASE_COLUMNS = ["supermarket_id", "timestamp", "user_id", "items_list", "total_amount"] as const

type Column = typeof PURCHASE_COLUMNS[number]

/** A valid purchase row; its branch is known by code until the branches exist. */
export type PurchaseLine = PurchaseToStage

/** Every problem of one row, or the purchase it records. */
const readPurchase = (
  row: CsvRow,
  index: Readonly<Record<Column, number>>,
  catalog: Catalog
): Either.Either<PurchaseLine, ReadonlyArray<string>> => {
  const field = (column: Column) => row.fields[index[column]]!
  const branch = parseBranchCode(field("supermarket_id"))
  const timestamp = parseTimestampField(field("timestamp"))
  const user = parseUserId(field("user_id"))
  const listed = parseItemsList(field("items_list"), catalog)
  const total = parseAmount("total_amount", field("total_amount"))
  const reasons = reasonsOf(branch, timestamp, user, listed, total)
  if (
    Either.isLeft(branch) || Either.isLeft(timestamp) || Either.isLeft(user) || Either.isLeft(listed) ||
    Either.isLeft(total)
  ) return Either.left(reasons)
  if (total.right !== listed.right.sum) {
    return Either.left([
      `total_amount ${field("total_amount")} does not match the listed products' current prices, which sum to ${
        formatCents(listed.right.sum)
      }`
    ])
  }
  return Either.right({
    line: row.line,
    import_key: importKey({
      branch_code: branch.right,
      timestamp: timestamp.right,
      user_id: user.right,
      product_names: listed.right.product_names
    }),
    branch_code: branch.right,
    user_id: user.right,
    timestamp: timestamp.right,
    total_amount: total.right,
    items: listed.right.items
  })
}

/** The reason a purchase is refused when an earlier line of the file has the same one. */
export const samePurchaseAs = (earlierLine: number) =>
  `same purchase as line ${earlierLine} (branch, timestamp, customer and items)`

/**
 * Checks the records of a purchases file one by one, as they are read: the header first (after a bad
 * one, no row is checked), then each row against the catalogue. Bad rows go to `bad`.
 * Whether two rows are the same purchase is the caller's to check (see `samePurchaseAs`).
 */
export class PurchaseChecker {
  private header: CsvColumns<Column> | "missing" | "bad" = "missing"

  constructor(private readonly catalog: Catalog, readonly bad: BadRowCollector) {}

  /** The purchase a row records; undefined for the header and for a bad row. */
  check(row: CsvRow): PurchaseLine | undefined {
    if (this.header === "missing") {
      const columns = readHeader(row, PURCHASE_COLUMNS)
      if (isBadRow(columns)) {
        this.bad.add(columns.line, [columns.reason])
        this.header = "bad"
      } else {
        this.header = columns
      }
      return undefined
    }
    if (this.header === "bad") return undefined
    const width = widthProblem(row, this.header.width)
    const purchase = width === undefined ? readPurchase(row, this.header.index, this.catalog) : Either.left([width])
    if (Either.isRight(purchase)) return purchase.right
    this.bad.add(row.line, purchase.left)
    return undefined
  }

  /** Once every record has been checked: a file without even a header is bad. */
  end(): void {
    if (this.header !== "missing") return
    const empty = readHeader(undefined, PURCHASE_COLUMNS)
    if (isBadRow(empty)) this.bad.add(empty.line, [empty.reason])
  }
}

/**
 * Checks a whole purchases file (`supermarket_id,timestamp,user_id,items_list,total_amount`)
 * against the catalogue: either every purchase in it, or every bad row with its line.
 */
export const validatePurchases = (
  file: string,
  table: CsvTable,
  catalog: Catalog
): Either.Either<ReadonlyArray<PurchaseLine>, InvalidFile> => {
  const bad = new BadRowCollector()
  for (const row of table.unreadable) bad.add(row.line, [row.reason])
  const checker = new PurchaseChecker(catalog, bad)
  const purchases: Array<PurchaseLine> = []
  const lineOfKey = new Map<string, number>()
  for (const row of table.rows) {
    const purchase = checker.check(row)
    if (purchase === undefined) continue
    // The import key could not tell two such rows apart: the second would silently vanish.
    const earlier = lineOfKey.get(purchase.import_key)
    if (earlier !== undefined) {
      bad.add(row.line, [samePurchaseAs(earlier)])
      continue
    }
    lineOfKey.set(purchase.import_key, row.line)
    purchases.push(purchase)
  }
  checker.end()
  return bad.isEmpty ? Either.right(purchases) : Either.left(InvalidFile.fromCollector(file, bad))
}
