/**
 * The purchases the load generator rings up: a deterministic stream from a seeded PRNG, so both
 * servers receive the very same sequence of request bodies.
 */

/** The catalogue purchases are drawn from: the ids `GET /branches` and `GET /products` list. */
export interface Catalogue {
  readonly branches: ReadonlyArray<number>
  readonly products: ReadonlyArray<number>
}

export interface PurchaseBody {
  readonly branch_id: number
  readonly user_id: string
  readonly items: ReadonlyArray<{ readonly product_id: number; readonly quantity?: 1 }>
}

/** mulberry32: a small, fast 32-bit PRNG; returns floats in [0, 1). */
export const prng = (seed: number): () => number => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const below = (random: () => number, n: number) => Math.floor(random() * n)

const hex = (random: () => number, digits: number) => {
  let text = ""
  for (let i = 0; i < digits; i++) text += below(random, 16).toString(16)
  return text
}

/** A lower-case UUID v4 (version nibble 4, variant 8–b) drawn from `random`. */
export const uuidV4 = (random: () => number): string =>
  `${hex(random, 8)}-${hex(random, 4)}-4${hex(random, 3)}-${"89ab"[below(random, 4)]}${hex(random, 3)}-${
    hex(random, 12)
  }`

/** A pool of distinct returning customers. */
export const customerPool = (seed: number, size: number): ReadonlyArray<string> => {
  const random = prng(seed)
  const pool = new Set<string>()
  while (pool.size < size) pool.add(uuidV4(random))
  return [...pool]
}

export const MAX_ITEMS = 4

/**
 * An endless stream of valid purchases: a random branch, 1–4 distinct random products (each with
 * or without the optional `"quantity": 1`) and a customer from `customers`.
 */
export const purchaseStream = (
  catalogue: Catalogue,
  customers: ReadonlyArray<string>,
  seed: number
): () => PurchaseBody => {
  if (catalogue.branches.length === 0 || catalogue.products.length === 0 || customers.length === 0) {
    throw new Error("the catalogue needs at least one branch and one product, and the pool one customer")
  }
  const random = prng(seed)
  const products = [...catalogue.products]
  return () => {
    const count = 1 + below(random, Math.min(MAX_ITEMS, products.length))
    // partial Fisher–Yates: the first `count` slots become a random sample without repeats
    for (let i = 0; i < count; i++) {
      const j = i + below(random, products.length - i)
      const swap = products[i]!
      products[i] = products[j]!
      products[j] = swap
    }
    return {
      branch_id: catalogue.branches[below(random, catalogue.branches.length)]!,
      user_id: customers[below(random, customers.length)]!,
      items: products.slice(0, count).map((
        product_id
      ) => (random() < 0.5 ? { product_id } : { product_id, quantity: 1 }))
    }
  }
}
