import type { ProductToImport } from "@icash/persistence"
import { Either } from "effect"
import { parseAmount } from "./Amount.js"
import { BadRowCollector, InvalidFile, reasonsOf } from "./BadRows.js"
import { type CsvTable, isBadRow, readHeader, widthProblem } from "./Csv.js"
import { parseProductName } from "./ProductName.js"

export const PRODUCT_COLUMNS = ["product_name", "unit_price"] as const

/**
 * Checks a whole products file (`product_name,unit_price`): either every product in it, or
 * every bad row with its line, so that a bad file loads nothing.
 */
export const validateProducts = (
  file: string,
  table: CsvTable
): Either.Either<ReadonlyArray<ProductToImport>, InvalidFile> => {
  const bad = new BadRowCollector()
  for (const row of table.unreadable) bad.add(row.line, [row.reason])
  const [header, ...rows] = table.rows
  const columns = readHeader(header, PRODUCT_COLUMNS)
  if (isBadRow(columns)) {
    bad.add(columns.line, [columns.reason])
    return Either.left(InvalidFile.fromCollector(file, bad))
  }

  const products: Array<ProductToImport> = []
  const lineOfName = new Map<string, number>()
  for (const row of rows) {
    const width = widthProblem(row, columns.width)
    if (width !== undefined) {
      bad.add(row.line, [width])
      continue
    }
    const name = parseProductName(row.fields[columns.index.product_name]!)
    const price = parseAmount("unit_price", row.fields[columns.index.unit_price]!)
    const reasons = reasonsOf(name, price)
    if (Either.isRight(name)) {
      const earlier = lineOfName.get(name.right)
      if (earlier === undefined) lineOfName.set(name.right, row.line)
      else reasons.push(`product "${name.right}" is already listed on line ${earlier}`)
    }
    if (reasons.length > 0 || Either.isLeft(name) || Either.isLeft(price)) {
      bad.add(row.line, reasons)
      continue
    }
    products.push({ product_name: name.right, unit_price: price.right })
  }
  return bad.isEmpty ? Either.right(products) : Either.left(InvalidFile.fromCollector(file, bad))
}
