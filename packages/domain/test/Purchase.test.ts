import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, DateTime, FastCheck as fc, Schema } from "effect"
import { cents, encodePurchase, Purchase, PurchaseItem } from "../src/index.js"

describe("encodePurchase", () => {
  it("writes what Schema.encode(Purchase) writes, field for field and in the same order", () => {
    fc.assert(
      fc.property(Arbitrary.make(Purchase), (purchase) => {
        expect(JSON.stringify(encodePurchase(purchase))).toBe(JSON.stringify(Schema.encodeSync(Purchase)(purchase)))
      }),
      { numRuns: 500, seed: 8 }
    )
  })

  it("writes amounts with their cents and the time in ISO 8601 UTC", () => {
    const purchase = new Purchase({
      id: 7 as Purchase["id"],
      branch_id: 2 as Purchase["branch_id"],
      user_id: "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9" as Purchase["user_id"],
      timestamp: DateTime.unsafeMake("2026-11-26T14:00:00.120Z"),
      total_amount: cents(1360890),
      items: [
        new PurchaseItem({
          product_id: 3 as PurchaseItem["product_id"],
          product_name: "milk",
          quantity: 1,
          unit_price: cents(590)
        })
      ]
    })
    expect(encodePurchase(purchase)).toEqual({
      id: 7,
      branch_id: 2,
      user_id: "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",
      timestamp: "2026-11-26T14:00:00.120Z",
      total_amount: 13608.9,
      items: [{ product_id: 3, product_name: "milk", quantity: 1, unit_price: 5.9 }]
    })
  })
})
