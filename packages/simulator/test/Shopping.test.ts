import { describe, expect, it } from "@effect/vitest"
import { BranchId, ProductId } from "@icash/domain"
import { CustomerBook, type Draft, shoppingAt, type Till } from "@icash/simulator"
import { Utils } from "effect"

const productIds = Array.from({ length: 10 }, (_, i) => ProductId.make(i + 1))
const till = (branch: number, lane: number): Till => ({
  branch_id: BranchId.make(branch),
  branch_code: `SMKT00${branch}`,
  lane
})

const take = (next: () => Draft, n: number) => Array.from({ length: n }, next)

describe("the baskets and customers of a till", () => {
  it("are the same for the same seed, and differ for another seed or another till", () => {
    const options = { seed: 42, productIds, maxItems: 5 }
    const first = take(shoppingAt(till(1, 0), options), 500)
    expect(take(shoppingAt(till(1, 0), options), 500)).toEqual(first)
    // the order of the catalogue as listed does not matter
    expect(take(shoppingAt(till(1, 0), { ...options, productIds: [...productIds].reverse() }), 500)).toEqual(first)
    expect(take(shoppingAt(till(1, 0), { ...options, seed: 43 }), 500)).not.toEqual(first)
    expect(take(shoppingAt(till(1, 1), options), 500)).not.toEqual(first)
    expect(take(shoppingAt(till(2, 0), options), 500)).not.toEqual(first)
  })

  it("hold 1 to max-items distinct products of the catalogue, one unit each, popular ones more often", () => {
    const drafts = take(shoppingAt(till(1, 0), { seed: 7, productIds, maxItems: 5 }), 5000)
    const sizes = new Map<number, number>()
    const sold = new Map<number, number>()
    for (const draft of drafts) {
      expect(draft.branch_id).toBe(1)
      expect(new Set(draft.product_ids).size).toBe(draft.product_ids.length)
      for (const id of draft.product_ids) sold.set(id, (sold.get(id) ?? 0) + 1)
      sizes.set(draft.product_ids.length, (sizes.get(draft.product_ids.length) ?? 0) + 1)
    }
    expect([...sizes.keys()].sort()).toEqual([1, 2, 3, 4, 5])
    // mostly 2 items, as in the chain's history
    expect(Math.max(...sizes.values())).toBe(sizes.get(2))
    expect([...sold.keys()].sort((a, b) => a - b)).toEqual(productIds)
    // the first product sells several times as often as the last
    expect(sold.get(1)! / sold.get(10)!).toBeGreaterThan(3)
    expect(sold.get(1)!).toBeGreaterThan(sold.get(5)!)
    expect(sold.get(5)!).toBeGreaterThan(sold.get(10)!)
  })

  it("never exceed the catalogue: a basket as large as it holds every product once", () => {
    const drafts = take(shoppingAt(till(1, 0), { seed: 1, productIds: productIds.slice(0, 3), maxItems: 50 }), 300)
    for (const draft of drafts) expect(new Set(draft.product_ids).size).toBe(draft.product_ids.length)
    expect(Math.max(...drafts.map((draft) => draft.product_ids.length))).toBe(3)
  })

  it("come from returning customers about 2 times in 3, so that some customers become loyal", () => {
    const drafts = take(shoppingAt(till(1, 0), { seed: 3, productIds, maxItems: 5 }), 3000)
    const visits = new Map<number, number>()
    for (const draft of drafts) visits.set(draft.customer, (visits.get(draft.customer) ?? 0) + 1)
    // ordinals are handed out in order: a new customer is the next one
    expect([...visits.keys()].sort((a, b) => a - b)).toEqual([...visits.keys()].map((_, i) => i))
    const returning = 1 - visits.size / drafts.length
    expect(returning).toBeGreaterThan(0.6)
    expect(returning).toBeLessThan(0.75)
    const loyal = [...visits.values()].filter((n) => n >= 3).length
    const once = [...visits.values()].filter((n) => n === 1).length
    expect(loyal / visits.size).toBeGreaterThan(0.1)
    expect(once / visits.size).toBeGreaterThan(0.4)
  })

  it("start with a new customer", () => {
    const book = new CustomerBook()
    const random = new Utils.PCGRandom(5)
    expect(book.next(random)).toBe(0)
  })
})
