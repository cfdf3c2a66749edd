import { describe, expect, it } from "@effect/vitest"
import { ProductId } from "@icash/domain"
import {
  type Catalog,
  generateSampleData,
  largeSamplePurchases,
  parseCsv,
  sampleProductsCsv,
  validateProducts,
  validatePurchases
} from "@icash/seed"
import { Either } from "effect"
import { readFileSync } from "node:fs"
import path from "node:path"

const dataDir = path.resolve(import.meta.dirname, "../../../data")

describe("generateSampleData", () => {
  const data = generateSampleData(20250526)

  it("is what data/ holds: the committed files are the generator's output", () => {
    expect(readFileSync(path.join(dataDir, "Products_list.csv"), "utf8")).toBe(data.productsCsv)
    expect(readFileSync(path.join(dataDir, "Purchases.csv"), "utf8")).toBe(data.purchasesCsv)
  })

  it("is deterministic, and another seed gives other data", () => {
    expect(generateSampleData(20250526)).toEqual(data)
    expect(generateSampleData(7).purchasesCsv).not.toBe(data.purchasesCsv)
  })

  it("writes the iCash format: header, three branch codes, UUID v4, microseconds without zone, 1-5 items", () => {
    const [header, ...rows] = data.purchasesCsv.replace(/^\uFEFF/, "").trimEnd().split("\n")
    expect(header).toBe("supermarket_id,timestamp,user_id,items_list,total_amount")
    expect(rows).toHaveLength(data.stats.purchases)
    const uuidV4 = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
    const row = new RegExp(
      `^SMKT00[123],2025-0[1-6]-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6},${uuidV4},("[a-z ,]+"|[a-z ]+),\\d+(\\.\\d\\d?)?$`
    )
    for (const line of rows) {
      expect(line).toMatch(row)
      const items = line.split(",").slice(3, -1).join(",").replaceAll("\"", "").split(",")
      expect(new Set(items).size).toBe(items.length)
      expect(items.length).toBeLessThanOrEqual(5)
    }
  })
})

describe("largeSamplePurchases", () => {
  const size = { purchases: 2_500, customers: 300 }
  const text = [...largeSamplePurchases(3, size, 1_000)].join("")

  it("writes whole lines a chunk at a time, the same each time for the same seed", () => {
    const chunks = [...largeSamplePurchases(3, size, 1_000)]
    expect(chunks).toHaveLength(3)
    for (const chunk of chunks) expect(chunk.endsWith("\n")).toBe(true)
    expect(chunks.join("")).toBe(text)
    expect([...largeSamplePurchases(4, size, 1_000)].join("")).not.toBe(text)
  })

  it("is a valid purchases file of that many purchases and at most that many customers", () => {
    const products = Either.getOrThrow(validateProducts("products.csv", parseCsv(sampleProductsCsv)))
    const catalog: Catalog = new Map(
      products.map((
        product,
        i
      ) => [product.product_name, { id: ProductId.make(i + 1), unit_price: product.unit_price }])
    )
    expect(text.startsWith("\uFEFFsupermarket_id,timestamp,user_id,items_list,total_amount\n")).toBe(true)
    const purchases = Either.getOrThrow(validatePurchases("p.csv", parseCsv(text), catalog))
    expect(purchases).toHaveLength(size.purchases)
    const customers = new Set(purchases.map((purchase) => purchase.user_id)).size
    expect(customers).toBeLessThanOrEqual(size.customers)
    // squared draws: the first customers come back often, the file still has many of them
    expect(customers).toBeGreaterThan(size.customers / 2)
  })
})
