import { SqlClient } from "@effect/sql"
import {
  type Branch,
  type Cents,
  type CustomerId,
  type Product,
  Purchase,
  PurchaseId,
  PurchaseItem,
  sumCents
} from "@icash/domain"
import { Array as Arr, DateTime, Effect, Layer, Order, Ref } from "effect"
import { AnalyticsRepo } from "../AnalyticsRepo.js"
import { CatalogRepo } from "../CatalogRepo.js"
import { NoNotificationsLive } from "../Notifications.js"
import { PurchasesRepo } from "../PurchasesRepo.js"

/**
 * The repositories over plain in-memory data, for unit tests that substitute layers.
 * Analytics are computed here independently of the SQL, straight from the purchases.
 */
export interface InMemoryData {
  readonly branches: ReadonlyArray<Branch>
  readonly products: ReadonlyArray<Product>
  readonly purchases: ReadonlyArray<Purchase>
}

interface CustomerCount {
  readonly user_id: CustomerId
  readonly purchase_count: number
}

const byCountDescThenId = Order.combine(
  Order.mapInput(Order.reverse(Order.number), (c: CustomerCount) => c.purchase_count),
  Order.mapInput(Order.string, (c: CustomerCount) => c.user_id)
)

export const makeInMemoryDatabase = (initial: Partial<InMemoryData> = {}) =>
  Effect.gen(function*() {
    const state = yield* Ref.make<InMemoryData>({ branches: [], products: [], purchases: [], ...initial })

    const catalog = CatalogRepo.make({
      listBranches: () => Effect.map(Ref.get(state), (s) => s.branches),
      listProducts: () => Effect.map(Ref.get(state), (s) => [...s.products])
    })

    const purchases = PurchasesRepo.make({
      insertGroup: (group) =>
        Effect.gen(function*() {
          const timestamp = yield* DateTime.now
          const s = yield* Ref.get(state)
          const stored = group.map((p, i) => {
            const id = PurchaseId.make(s.purchases.length + i + 1)
            const items = [...p.product_ids].sort((a, b) => a - b).map((product_id) => {
              const product = s.products.find((candidate) => candidate.id === product_id)
              if (product === undefined) throw new Error(`foreign key: product ${product_id}`)
              return new PurchaseItem({
                product_id,
                product_name: product.product_name,
                quantity: 1,
                unit_price: product.unit_price
              })
            })
            const total_amount = sumCents(items.map((item) => item.unit_price))
            return new Purchase({ id, branch_id: p.branch_id, user_id: p.user_id, timestamp, total_amount, items })
          })
          yield* Ref.set(state, { ...s, purchases: [...s.purchases, ...stored] })
          return stored
        }),
      findById: (id) => Effect.map(Ref.get(state), (s) => Arr.findFirst(s.purchases, (p) => p.id === id))
    })

    const countsByCustomer = (all: ReadonlyArray<Purchase>) => {
      const counts = new Map<CustomerId, number>()
      for (const p of all) counts.set(p.user_id, (counts.get(p.user_id) ?? 0) + 1)
      return [...counts].map(([user_id, purchase_count]): CustomerCount => ({ user_id, purchase_count }))
    }

    const analytics = AnalyticsRepo.make({
      uniqueCustomers: () => Effect.map(Ref.get(state), (s) => new Set(s.purchases.map((p) => p.user_id)).size),
      loyalCustomers: ({ after, limit, min_purchases }) =>
        Effect.map(Ref.get(state), (s) =>
          Arr.sort(countsByCustomer(s.purchases), byCountDescThenId)
            .filter((c) => c.purchase_count >= min_purchases)
            .filter((c) => after === undefined || byCountDescThenId(c, after) > 0)
            .slice(0, limit)),
      topProducts: (limit) =>
        Effect.map(Ref.get(state), (s) => {
          const sales = new Map<Product, Array<Cents>>()
          for (const item of s.purchases.flatMap((p) => p.items)) {
            const product = s.products.find((p) => p.id === item.product_id)!
            sales.set(product, [...(sales.get(product) ?? []), item.unit_price])
          }
          const ranked = [...sales].map(([product, prices]) => ({
            product_id: product.id,
            product_name: product.product_name,
            units_sold: prices.length,
            revenue: sumCents(prices)
          }))
          return ranked
            .map((row) => ({ ...row, rank: 1 + ranked.filter((other) => other.units_sold > row.units_sold).length }))
            .filter((row) => row.rank <= limit)
            .sort((a, b) => a.rank - b.rank || a.product_id - b.product_id)
        })
    })

    // A transaction restores the data as it was when the transaction fails: all or nothing.
    const sql = new Proxy({} as SqlClient.SqlClient, {
      get: (_, property) => {
        if (property === "withTransaction") {
          return <A, E, R>(effect: Effect.Effect<A, E, R>) =>
            Effect.flatMap(Ref.get(state), (before) => Effect.onError(effect, () => Ref.set(state, before)))
        }
        if (typeof property === "symbol" || property === "then" || property === "toJSON") return undefined
        return () => Effect.dieMessage(`the in-memory database has no SqlClient.${property}`)
      }
    })

    return { state, catalog, purchases, analytics, sql }
  })

/** CatalogRepo, PurchasesRepo, AnalyticsRepo and a transactional SqlClient over the same in-memory data (which changes behind nobody's back: no notifications). */
export const InMemoryDatabaseLive = (initial: Partial<InMemoryData> = {}) =>
  Layer.unwrapEffect(
    Effect.map(makeInMemoryDatabase(initial), (db) =>
      Layer.mergeAll(
        Layer.succeed(CatalogRepo, db.catalog),
        Layer.succeed(PurchasesRepo, db.purchases),
        Layer.succeed(AnalyticsRepo, db.analytics),
        Layer.succeed(SqlClient.SqlClient, db.sql),
        NoNotificationsLive
      ))
  )
