import { formatCents } from "@icash/domain"
import { Prng } from "./Prng.js"

/** Our chain's catalogue: name, price in cents, and how often it ends up in a basket (relative). */
const PRODUCTS = [
  { name: "milk", price: 149, popularity: 30 },
  { name: "bread", price: 229, popularity: 27 },
  { name: "eggs", price: 319, popularity: 22 },
  { name: "bananas", price: 119, popularity: 16 },
  { name: "pasta", price: 139, popularity: 13 },
  { name: "cheese", price: 479, popularity: 12 },
  { name: "butter", price: 259, popularity: 11 },
  { name: "coffee", price: 549, popularity: 9 },
  { name: "tomatoes", price: 299, popularity: 9 },
  { name: "olive oil", price: 899, popularity: 4 }
] as const

const BRANCHES = [
  { code: "SMKT001", share: 25 },
  { code: "SMKT002", share: 42 },
  { code: "SMKT003", share: 33 }
] as const

/** Weights of a basket holding 1, 2, 3, 4 or 5 distinct products. */
const BASKET_SIZES = [22, 30, 24, 14, 10]

const FIRST_DAY = Date.UTC(2025, 0, 6)
const DAYS = 175 // to the end of June: about six months
const OPENING_HOUR = 8
const OPEN_HOURS = 13 // 08:00 to 21:00 UTC

// A loyal core of regulars shopping every week or two, and many people who come once or twice:
// exactly REGULARS customers end up with three purchases or more.
const REGULARS = 60
const OCCASIONAL = 340

export interface SampleData {
  readonly productsCsv: string
  readonly purchasesCsv: string
  readonly stats: {
    readonly purchases: number
    readonly customers: number
    readonly loyalCustomers: number
    readonly purchasesByBranch: Readonly<Record<string, number>>
  }
}

interface Purchase {
  readonly branch: string
  readonly timestamp: string
  readonly user: string
  readonly items: ReadonlyArray<(typeof PRODUCTS)[number]>
}

/** iCash writes amounts without trailing zeros: `4.5`, `10`. */
const icashAmount = (cents: number) => formatCents(cents).replace(/\.?0+$/, "")

const csvField = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replaceAll("\"", "\"\"")}"` : text)

// The iCash export starts with a UTF-8 byte-order mark; ours do too, so the seed's default path sees it.
const csv = (header: string, lines: ReadonlyArray<string>) => `\uFEFF${[header, ...lines].join("\n")}\n`

const randomTimestamp = (random: Prng): string => {
  const day = random.int(0, DAYS - 1)
  const second = random.int(0, OPEN_HOURS * 3600 - 1)
  const instant = new Date(FIRST_DAY + day * 86_400_000 + (OPENING_HOUR * 3600 + second) * 1000)
  const micros = String(random.int(0, 999_999)).padStart(6, "0")
  return `${instant.toISOString().slice(0, 19)}.${micros}`
}

const randomBasket = (random: Prng): Purchase["items"] => {
  const size = random.weighted(BASKET_SIZES) + 1
  const left = [...PRODUCTS]
  const basket: Array<(typeof PRODUCTS)[number]> = []
  while (basket.length < size) {
    basket.push(left.splice(random.weighted(left.map((p) => p.popularity)), 1)[0]!)
  }
  return basket
}

const purchaseCounts = (random: Prng): ReadonlyArray<number> => [
  ...Array.from({ length: REGULARS }, () => 3 + Math.floor(random.next() ** 1.6 * 30)),
  ...Array.from({ length: OCCASIONAL }, () => (random.next() < 0.65 ? 1 : 2))
]

const PRODUCTS_HEADER = "product_name,unit_price"
const PURCHASES_HEADER = "supermarket_id,timestamp,user_id,items_list,total_amount"

/** Our catalogue as an iCash products file: the one every sample goes with. */
export const sampleProductsCsv = csv(
  PRODUCTS_HEADER,
  PRODUCTS.map((p) => `${csvField(p.name)},${icashAmount(p.price)}`)
)

const purchaseLine = (p: Purchase) =>
  [
    p.branch,
    p.timestamp,
    p.user,
    csvField(p.items.map((item) => item.name).join(",")),
    icashAmount(p.items.reduce((sum, item) => sum + item.price, 0))
  ].join(",")

/** Deterministic data files in the iCash format: the same seed gives byte-identical files. */
export const generateSampleData = (seed: number): SampleData => {
  const random = new Prng(seed)
  const purchases: Array<Purchase> = []
  for (const count of purchaseCounts(random)) {
    const user = random.uuidV4()
    const home = BRANCHES[random.weighted(BRANCHES.map((b) => b.share))]!.code
    for (let i = 0; i < count; i++) {
      const branch = random.next() < 0.85 ? home : BRANCHES[random.int(0, BRANCHES.length - 1)]!.code
      purchases.push({ branch, timestamp: randomTimestamp(random), user, items: randomBasket(random) })
    }
  }
  purchases.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0))

  const purchaseLines = purchases.map(purchaseLine)
  const byBranch: Record<string, number> = {}
  for (const p of purchases) byBranch[p.branch] = (byBranch[p.branch] ?? 0) + 1
  return {
    productsCsv: sampleProductsCsv,
    purchasesCsv: csv(PURCHASES_HEADER, purchaseLines),
    stats: {
      purchases: purchases.length,
      customers: REGULARS + OCCASIONAL,
      loyalCustomers: REGULARS,
      purchasesByBranch: byBranch
    }
  }
}

export interface LargeSampleSize {
  readonly purchases: number
  readonly customers: number
}

/** Customer `index` of a large sample, the same each time it shops, without keeping a list of them. */
const largeSampleCustomer = (seed: number, index: number): string =>
  // multiplying by an odd number is a bijection on 32 bits: every index seeds a generator of its own
  new Prng((seed + Math.imul(index + 1, 0x9e3779b1)) >>> 0).uuidV4()

/**
 * A purchases file of any size in the iCash format, text chunk by text chunk (each of whole lines),
 * so that a file of millions of purchases is written without holding it: our catalogue and
 * branches, `size.customers` customers (a few of them regulars), timestamps over six months,
 * not in time order. The products file that goes with it is `sampleProductsCsv`.
 */
export function* largeSamplePurchases(seed: number, size: LargeSampleSize, linesPerChunk = 10_000): Generator<string> {
  const random = new Prng(seed)
  const shares = BRANCHES.map((b) => b.share)
  let lines: Array<string> = [`\uFEFF${PURCHASES_HEADER}`]
  for (let i = 0; i < size.purchases; i++) {
    // squaring skews the draw: low-numbered customers come back often
    const customer = Math.floor(random.next() ** 2 * size.customers)
    lines.push(purchaseLine({
      branch: BRANCHES[random.weighted(shares)]!.code,
      timestamp: randomTimestamp(random),
      user: largeSampleCustomer(seed, customer),
      items: randomBasket(random)
    }))
    if (lines.length === linesPerChunk) {
      yield `${lines.join("\n")}\n`
      lines = []
    }
  }
  if (lines.length > 0) yield `${lines.join("\n")}\n`
}
