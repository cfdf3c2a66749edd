import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, FastCheck as fc, Schema } from "effect"
import {
  encodeLoyalCustomersPage,
  encodeSales,
  encodeTopProducts,
  encodeUniqueCustomers,
  LoyalCustomersPage,
  Sales,
  TopProducts,
  UniqueCustomers
} from "../src/index.js"

// each answer's hand encoder against Schema.encode, compared as the JSON a client reads
const sameAsSchema = <A, I>(schema: Schema.Schema<A, I>, encode: (value: A) => I) =>
  fc.assert(
    fc.property(Arbitrary.make(schema), (value) => {
      expect(JSON.stringify(encode(value))).toBe(JSON.stringify(Schema.encodeSync(schema)(value)))
    }),
    { numRuns: 300, seed: 9 }
  )

describe("the analytics answers encoded by hand", () => {
  it("unique customers", () => sameAsSchema(UniqueCustomers, encodeUniqueCustomers))
  it("a page of loyal customers", () => sameAsSchema(LoyalCustomersPage, encodeLoyalCustomersPage))
  it("top products", () => sameAsSchema(TopProducts, encodeTopProducts))
  it("sales", () => sameAsSchema(Sales, encodeSales))
})
