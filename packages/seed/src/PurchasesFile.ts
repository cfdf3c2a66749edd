import { formatCents } from "@icash/domain"
import type { PurchaseToImport } from "@icash/persistence"
import { Either } from "effect"
import { parseAmount } from "./Amount.js"
import { BadRowCollector, InvalidFile, reasonsOf } from "./BadRows.js"
import { type CsvRow, type CsvTable, isBadRow, readHeader, widthProblem } from "./Csv.js"
import { importKey } from "./ImportKey.js"
import { type Catalog, parseBranchCode, parseItemsList, parseTimestampField, parseUserId } from "./PurchaseFields.js"

export const PURCHASE_COLUMNS = ["supermarket_id", "timestamp", "user_id", "items_list", "total_amount"] as const

type Column = typeof PURCHASE_COLUMNS[number]

/** A valid purchase row; its branch is known by code until the branches exist. */
export interface PurchaseLine extends Omit<PurchaseToImport, "branch_id"> {
  readonly line: number
  readonly branch_code: string
}

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
  const [header, ...rows] = table.rows
  const columns = readHeader(header, PURCHASE_COLUMNS)
  if (isBadRow(columns)) {
    bad.add(columns.line, [columns.reason])
    return Either.left(InvalidFile.fromCollector(file, bad))
  }

  const purchases: Array<PurchaseLine> = []
  const lineOfKey = new Map<string, number>()
  for (const row of rows) {
    const width = widthProblem(row, columns.width)
    const purchase = width === undefined ? readPurchase(row, columns.index, catalog) : Either.left([width])
    if (Either.isLeft(purchase)) {
      bad.add(row.line, purchase.left)
      continue
    }
    // The import key could not tell two such rows apart: the second would silently vanish.
    const earlier = lineOfKey.get(purchase.right.import_key)
    if (earlier !== undefined) {
      bad.add(row.line, [`same purchase as line ${earlier} (branch, timestamp, customer and items)`])
      continue
    }
    lineOfKey.set(purchase.right.import_key, row.line)
    purchases.push(purchase.right)
  }
  return bad.isEmpty ? Either.right(purchases) : Either.left(InvalidFile.fromCollector(file, bad))
}
