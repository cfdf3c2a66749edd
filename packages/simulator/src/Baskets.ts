import type { ProductId } from "@icash/domain"
import type { Utils } from "effect"

/** A seeded source of numbers in [0, 1): Effect's PCG generator. */
export type Random = Pick<Utils.PCGRandom, "number">

/**
 * How popular the n-th product of the catalogue is: 1 / n^s. With s = 0.8 the first of ten
 * products sells about five times as often as the last, as in the chain's history (milk 554,
 * olive oil 102).
 */
export const ZIPF_EXPONENT = 0.8

/** Products in a basket beyond the first: Poisson with this mean (1 to 5 items, mostly 2, as in the history). */
export const MEAN_EXTRA_ITEMS = 1.5

const poisson = (random: Random, mean: number) => {
  const limit = Math.exp(-mean)
  let k = 0
  for (let p = random.number(); p > limit; p *= random.number()) k++
  return k
}

/** The first index whose cumulative weight exceeds `point`. */
const search = (cumulative: ReadonlyArray<number>, point: number) => {
  let low = 0
  let high = cumulative.length - 1
  while (low < high) {
    const middle = (low + high) >>> 1
    if (cumulative[middle]! > point) high = middle
    else low = middle + 1
  }
  return low
}

/**
 * Draws baskets from a catalogue: 1 to `maxItems` distinct products, one unit each, the popular
 * ones (the catalogue's first, by id) more often. What it draws depends only on `random`.
 */
export const basketPicker = (productIds: ReadonlyArray<ProductId>, maxItems: number) => {
  const products = [...new Set(productIds)].sort((a, b) => a - b)
  if (products.length === 0) throw new Error("the catalogue has no products")
  const cumulative: Array<number> = []
  let total = 0
  for (let rank = 1; rank <= products.length; rank++) cumulative.push(total += 1 / rank ** ZIPF_EXPONENT)
  const largest = Math.max(1, Math.min(maxItems, products.length))

  return (random: Random): ReadonlyArray<ProductId> => {
    const size = Math.min(largest, 1 + poisson(random, MEAN_EXTRA_ITEMS))
    const chosen = new Set<number>()
    // draw again on a repeat; a basket nearly as large as the catalogue takes the rest in order of popularity
    for (let draws = 0; chosen.size < size && draws < 32 * size; draws++) {
      chosen.add(search(cumulative, random.number() * total))
    }
    for (let index = 0; chosen.size < size; index++) chosen.add(index)
    return [...chosen].map((index) => products[index]!)
  }
}
