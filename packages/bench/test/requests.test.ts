import { describe, expect, it } from "vitest"
import { validatePurchase } from "../src/floor/validate.js"
import { customerPool, MAX_ITEMS, prng, purchaseStream, uuidV4 } from "../src/requests.js"

const catalogue = { branches: [1, 2, 3], products: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

const take = <A>(next: () => A, n: number) => Array.from({ length: n }, next)

describe("the request stream", () => {
  it("is the same for the same seed, and another for another seed", () => {
    const customers = customerPool(7, 100)
    const a = take(purchaseStream(catalogue, customers, 1), 500)
    const b = take(purchaseStream(catalogue, customers, 1), 500)
    const c = take(purchaseStream(catalogue, customers, 2), 500)
    expect(JSON.stringify(a)).toBe(JSON.stringify(b))
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(c))
  })

  it("draws valid purchases: a known branch, 1-4 distinct known products, a pool customer", () => {
    const customers = customerPool(1, 4000)
    const pool = new Set(customers)
    const sizes = new Set<number>()
    for (const body of take(purchaseStream(catalogue, customers, 1), 2000)) {
      expect(validatePurchase(JSON.parse(JSON.stringify(body)))._tag).toBe("Valid")
      expect(catalogue.branches).toContain(body.branch_id)
      expect(pool.has(body.user_id)).toBe(true)
      const ids = body.items.map((item) => item.product_id)
      expect(new Set(ids).size).toBe(ids.length)
      for (const id of ids) expect(catalogue.products).toContain(id)
      sizes.add(ids.length)
    }
    expect([...sizes].sort()).toEqual([1, 2, 3, 4].slice(0, MAX_ITEMS))
  })

  it("has a pool of distinct lower-case UUID v4 customers", () => {
    const customers = customerPool(3, 4000)
    expect(new Set(customers).size).toBe(4000)
    for (const customer of customers) expect(customer).toMatch(UUID_V4)
    expect(uuidV4(prng(9))).toBe(uuidV4(prng(9)))
  })
})

describe("the floor's validation", () => {
  const valid = {
    branch_id: 1,
    user_id: "01E1E159-8045-43C2-88DD-5682B18BD680",
    items: [{ product_id: 2 }, { product_id: 1, quantity: 1 }]
  }

  it("takes what iCash takes, lower-casing the customer", () => {
    expect(validatePurchase(valid)).toEqual({
      _tag: "Valid",
      purchase: { branch_id: 1, user_id: "01e1e159-8045-43c2-88dd-5682b18bd680", product_ids: [2, 1] }
    })
    expect(validatePurchase({ branch_id: 1, items: [{ product_id: 1 }] })).toMatchObject({
      _tag: "Valid",
      purchase: { user_id: undefined }
    })
  })

  it("refuses what iCash refuses with 400", () => {
    for (
      const body of [
        null,
        [],
        "x",
        { ...valid, total_amount: 1 },
        { ...valid, branch_id: 0 },
        { ...valid, branch_id: 2 ** 31 },
        { ...valid, branch_id: "1" },
        { ...valid, user_id: null },
        { ...valid, user_id: "01e1e159-8045-13c2-88dd-5682b18bd680" },
        { ...valid, items: [] },
        { ...valid, items: [{ product_id: 1, quantity: 2 }] },
        { ...valid, items: [{ product_id: 1.5 }] },
        { ...valid, items: [{ product_id: 1, unit_price: 1 }] },
        { branch_id: 1 }
      ]
    ) expect(validatePurchase(body)._tag).toBe("Invalid")
  })

  it("names duplicate products (a 422, as in iCash)", () => {
    expect(validatePurchase({ branch_id: 1, items: [{ product_id: 3 }, { product_id: 1 }, { product_id: 3 }] }))
      .toEqual({ _tag: "Duplicates", branch_id: 1, product_ids: [3] })
  })
})
