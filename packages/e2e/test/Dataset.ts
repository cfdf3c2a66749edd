/**
 * A random but reproducible chain history in the iCash CSV format, and the analytics it must give,
 * computed here in plain TypeScript, independently of the services' SQL.
 */
export interface Sale {
  readonly branch: string
  readonly user: string
  readonly items: ReadonlyArray<string>
}

export const productPrices: ReadonlyArray<readonly [name: string, cents: number]> = [
  ["milk", 150],
  ["bread", 200],
  ["eggs", 300],
  ["toilet paper", 400],
  ["chewing gum", 10],
  ["mints", 20]
]

const mulberry32 = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const uuidV4 = (random: () => number) => {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16))
  hex[12] = "4"
  hex[16] = "89ab"[Math.floor(random() * 4)]!
  const s = hex.join("")
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`
}

/** "4.5" for 450 cents, "0.1" for 10: the way the iCash files write amounts. */
export const decimal = (cents: number) => String(cents / 100)

export const priceOf = (name: string) => productPrices.find(([product]) => product === name)![1]

export const makeHistory = (count: number, seed = 7) => {
  const random = mulberry32(seed)
  const customers = Array.from({ length: 60 }, () => uuidV4(random))
  const sales: Array<Sale> = []
  const rows: Array<string> = []
  for (let i = 0; i < count; i++) {
    // a skewed pick, so that some customers come back often
    const user = customers[Math.floor(customers.length * random() ** 2)]!
    const branch = `SMKT00${1 + Math.floor(random() * 3)}`
    const names = productPrices.map(([name]) => name).filter(() => random() < 0.4)
    const items = names.length > 0 ? names : ["milk"]
    sales.push({ branch, user, items })
    const timestamp = new Date(Date.UTC(2025, 4, 1) + i * 3_600_000 + Math.floor(random() * 1000)).toISOString()
      .replace("Z", "123")
    const total = items.reduce((sum, name) => sum + priceOf(name), 0)
    const list = items.length > 1 ? `"${items.join(",")}"` : items[0]
    rows.push(`${branch},${timestamp},${user},${list},${decimal(total)}`)
  }
  return {
    productsCsv: ["product_name,unit_price", ...productPrices.map(([name, cents]) => `${name},${decimal(cents)}`)]
      .join("\n") + "\n",
    purchasesCsv: ["supermarket_id,timestamp,user_id,items_list,total_amount", ...rows].join("\n") + "\n",
    sales,
    customers
  }
}

export const expectedUniqueCustomers = (sales: ReadonlyArray<Sale>) => new Set(sales.map((s) => s.user)).size

export const expectedLoyal = (sales: ReadonlyArray<Sale>, min: number) => {
  const counts = new Map<string, number>()
  for (const { user } of sales) counts.set(user, (counts.get(user) ?? 0) + 1)
  return [...counts]
    .filter(([, count]) => count >= min)
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
    .map(([user_id, purchase_count]) => ({ user_id, purchase_count }))
}

export const expectedTop = (sales: ReadonlyArray<Sale>, limit: number, idOf: (name: string) => number) => {
  const units = new Map<string, number>()
  for (const name of sales.flatMap((s) => s.items)) units.set(name, (units.get(name) ?? 0) + 1)
  return [...units]
    .map(([name, sold]) => ({
      product_name: name,
      units_sold: sold,
      revenue: (sold * priceOf(name)) / 100,
      rank: 1 + [...units.values()].filter((other) => other > sold).length
    }))
    .filter((p) => p.rank <= limit)
    .sort((a, b) => a.rank - b.rank || idOf(a.product_name) - idOf(b.product_name))
    .map((p) => ({ product_id: idOf(p.product_name), ...p }))
}
