import { describe, expect, it } from "@effect/vitest"
import { generateSampleData } from "@icash/seed"
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
