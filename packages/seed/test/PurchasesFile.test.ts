import { describe, expect, it } from "@effect/vitest"
import { cents, ProductId } from "@icash/domain"
import {
  type Catalog,
  formatInvalidFile,
  importKey,
  type InvalidFile,
  parseCsv,
  type PurchaseLine,
  validatePurchases
} from "@icash/seed"
import { Either } from "effect"

const catalog: Catalog = new Map([
  ["milk", { id: ProductId.make(1), unit_price: cents(150) }],
  ["bread", { id: ProductId.make(2), unit_price: cents(200) }],
  ["eggs", { id: ProductId.make(3), unit_price: cents(300) }],
  ["toilet paper", { id: ProductId.make(6), unit_price: cents(400) }]
])

const HEADER = "supermarket_id,timestamp,user_id,items_list,total_amount"
const ALICE = "01e1e159-8045-43c2-88dd-5682b18bd680"

const validate = (lines: ReadonlyArray<string>) =>
  validatePurchases("purchases.csv", parseCsv([HEADER, ...lines].join("\n")), catalog)

const accepted = (lines: ReadonlyArray<string>): ReadonlyArray<PurchaseLine> => {
  const result = validate(lines)
  if (Either.isLeft(result)) throw new Error(formatInvalidFile(result.left))
  return result.right
}

const refused = (lines: ReadonlyArray<string>): InvalidFile => {
  const result = validate(lines)
  if (Either.isRight(result)) throw new Error("expected the file to be refused")
  return result.left
}

describe("validatePurchases", () => {
  it("reads a purchase: branch code, UTC timestamp with microseconds, customer, priced items, exact total", () => {
    const [purchase] = accepted([`SMKT001,2025-05-26T19:51:00.539354,${ALICE},"eggs,milk",4.5`])
    expect(purchase).toEqual({
      line: 2,
      import_key: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      branch_code: "SMKT001",
      timestamp: "2025-05-26T19:51:00.539354Z",
      user_id: ALICE,
      total_amount: 450,
      items: [{ product_id: 3, unit_price: 300 }, { product_id: 1, unit_price: 150 }]
    })
  })

  it("accepts what people's files look like: BOM, CRLF, spaces, upper-case UUIDs and codes, one unquoted item", () => {
    const result = validatePurchases(
      "purchases.csv",
      parseCsv(
        `\uFEFF${HEADER}\r\nsmkt002 , 2025-05-26T19:51:00.5 , ${ALICE.toUpperCase()} , " Eggs , toilet paper " , 7\r\n` +
          `SMKT003,2025-05-27T08:00:00,${ALICE},bread,2.00\r\n`
      ),
      catalog
    )
    expect(Either.getOrThrow(result).map((p) => [p.line, p.branch_code, p.user_id, p.total_amount])).toEqual([
      [2, "SMKT002", ALICE, 700],
      [3, "SMKT003", ALICE, 200]
    ])
  })

  it("gives the same purchase written differently the same import key", () => {
    const [a, b] = [
      accepted([`SMKT001,2025-05-26T19:51:00.539354,${ALICE},"eggs,milk",4.5`]),
      accepted([`smkt001,2025-05-26T21:51:00.539354+02:00,${ALICE.toUpperCase()},"milk, eggs",4.50`])
    ]
    expect(a[0]!.import_key).toBe(b[0]!.import_key)
    expect(a[0]!.import_key).toBe(
      importKey({
        branch_code: "SMKT001",
        timestamp: "2025-05-26T19:51:00.539354Z",
        user_id: ALICE,
        product_names: ["milk", "eggs"]
      })
    )
  })

  it("reports every bad row with its physical line and every reason", () => {
    const error = refused([
      `SMKT001,2025-05-26T19:51:00.539354,${ALICE},"eggs,milk",4.5`,
      `SMKT001,2025-05-26T19:52:00,${ALICE},"eggs,caviar",4.5`,
      `SMKT001,2025-05-26T19:53:00,01e1e159-8045-13c2-88dd-5682b18bd680,milk,1.5`,
      `SMKT001,2025-05-26T19:54:00,not-a-uuid,milk,1.5`,
      `SMKT001,2025-05-26T19:55:00,${ALICE},"eggs,milk",4.6`,
      `SMKT001,2025-02-30T10:00:00,${ALICE},milk,1.5`,
      "",
      `SMKT 1,2025-05-26T19:56:00,${ALICE},milk,1.5`,
      `,2025-05-26T19:56:00,${ALICE},milk,1.5`,
      `SMKT001,2025-05-26T19:57:00,${ALICE},,0`,
      `SMKT001,2025-05-26T19:58:00,${ALICE},"milk,milk",3`,
      `SMKT001,2025-05-26T19:59:00,${ALICE},"milk,,eggs",4.5`,
      `SMKT001,2025-05-26T20:00:00,${ALICE},milk`,
      `SMKT001,2025-05-26T20:01:00,${ALICE},milk,-1.5`,
      `SMKT001,2025-05-26T20:02:00,${ALICE},milk,lots`,
      `SMKT001,2025-05-26T19:51:00.539354,${ALICE},"milk,eggs",4.5`,
      `SMKT1!,tomorrow,nobody,"caviar,caviar",x`
    ])
    expect(error.badRows).toEqual([
      { line: 3, reason: "unknown product \"caviar\"" },
      { line: 4, reason: "user_id \"01e1e159-8045-13c2-88dd-5682b18bd680\" is not a UUID v4" },
      { line: 5, reason: "user_id \"not-a-uuid\" is not a UUID v4" },
      { line: 6, reason: "total_amount 4.6 does not match the listed products' current prices, which sum to 4.50" },
      {
        line: 7,
        reason: "timestamp \"2025-02-30T10:00:00\" is not a valid date and time such as 2025-05-26T19:51:00.539354"
      },
      {
        line: 9,
        reason: "supermarket_id \"SMKT 1\" is not a branch code like SMKT001 (letters, digits, - or _)"
      },
      { line: 10, reason: "supermarket_id is empty" },
      { line: 11, reason: "items_list is empty" },
      { line: 12, reason: "product \"milk\" is listed twice" },
      { line: 13, reason: "items_list has an empty item" },
      { line: 14, reason: "expected 5 fields, found 4" },
      { line: 15, reason: "total_amount -1.5 is negative" },
      { line: 16, reason: "total_amount \"lots\" is not an amount with at most two decimals" },
      { line: 17, reason: "same purchase as line 2 (branch, timestamp, customer and items)" },
      {
        line: 18,
        reason: [
          "supermarket_id \"SMKT1!\" is not a branch code like SMKT001 (letters, digits, - or _)",
          "timestamp \"tomorrow\" is not a valid date and time such as 2025-05-26T19:51:00.539354",
          "user_id \"nobody\" is not a UUID v4",
          "unknown product \"caviar\"",
          "total_amount \"x\" is not an amount with at most two decimals"
        ].join("; ")
      }
    ])
    expect(error.badRowCount).toBe(15)
  })

  it("compares totals exactly, in cents: no float rounding lets a wrong total through", () => {
    // 0.1 + 0.2 style sums: 1.5 + 2 + 3 + 4 = 10.50 exactly, 10.49 and 10.51 are wrong
    const line = (total: string) => `SMKT001,2025-05-26T19:51:00,${ALICE},"milk,bread,eggs,toilet paper",${total}`
    expect(accepted([line("10.5")])[0]!.total_amount).toBe(1050)
    expect(refused([line("10.49")]).badRows[0]!.line).toBe(2)
    expect(refused([line("10.501")]).badRows[0]!.reason).toMatch(/at most two decimals/)
  })

  it("formats the report for the terminal", () => {
    const error = refused([`SMKT001,2025-05-26T19:51:00,${ALICE},caviar,1`])
    expect(formatInvalidFile(error)).toBe(
      "purchases.csv: 1 bad row, nothing of this file loaded\n  line 2: unknown product \"caviar\""
    )
  })

  it("accepts a file with only the header, refuses an empty one or one with another header", () => {
    expect(accepted([])).toEqual([])
    const empty = validatePurchases("p.csv", parseCsv("\uFEFF\r\n"), catalog)
    expect(Either.isLeft(empty) && empty.left.badRows[0]!.reason).toMatch(/^the file is empty/)
    const error = validatePurchases("p.csv", parseCsv("branch,timestamp,user_id,items_list,total_amount\n"), catalog)
    expect(Either.isLeft(error) && error.left.badRows[0]!.reason).toMatch(
      /missing column "supermarket_id", unexpected column "branch"/
    )
  })
})
