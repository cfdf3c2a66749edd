import { SqlClient } from "@effect/sql"
import {
  type Branch,
  type Cents,
  type CustomerId,
  DEFAULT_LOYAL_MIN_PURCHASES,
  type Product,
  Purchase,
  PurchaseId,
  PurchaseItem,
  sumCents
} from "@icash/domain"
import { Array as Arr, DateTime, Effect, Layer, Option, Order, Ref } from "effect"
import type { SalesQuery } from "../AnalyticsRepo.js"
import { AnalyticsRepo } from "../AnalyticsRepo.js"
import { ApiKeysRepo } from "../ApiKeysRepo.js"
import { CatalogRepo } from "../CatalogRepo.js"
import { NoNotificationsLive } from "../Notifications.js"
import { PurchasesRepo, type StoredPurchase } from "../PurchasesRepo.js"
import { makeInMemoryApiKeys } from "./InMemoryApiKeys.js"

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

/** The rollups keep sales per quarter hour of UTC (migration 0003's `icash_quarter_hour`). */
const QUARTER_HOUR_MS = 15 * 60_000

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

    // Idempotency-Key -> the fingerprint of its request and the purchase stored with it
    const keys = new Map<string, { readonly fingerprint: string; readonly purchase: Purchase }>()

    const purchases = PurchasesRepo.make({
      insertGroup: (group) =>
        Effect.gen(function*() {
          const timestamp = yield* DateTime.now
          const s = yield* Ref.get(state)
          const fresh = group.filter((p) => p.idempotency === undefined || !keys.has(p.idempotency.key))
          const stored = fresh.map((p, i) => {
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
          const answers = group.map((p): StoredPurchase => {
            const earlier = p.idempotency === undefined ? undefined : keys.get(p.idempotency.key)
            if (earlier !== undefined) return { _tag: "Replayed", ...earlier }
            return { _tag: "Stored", purchase: stored[fresh.indexOf(p)]! }
          })
          for (const [i, p] of fresh.entries()) {
            if (p.idempotency !== undefined) {
              keys.set(p.idempotency.key, { fingerprint: p.idempotency.fingerprint, purchase: stored[i]! })
            }
          }
          return answers
        }),
      forgetKeysBefore: () => Effect.succeed(0),
      findById: (id) => Effect.map(Ref.get(state), (s) => Arr.findFirst(s.purchases, (p) => p.id === id))
    })

    const countsByCustomer = (all: ReadonlyArray<Purchase>) => {
      const counts = new Map<CustomerId, number>()
      for (const p of all) counts.set(p.user_id, (counts.get(p.user_id) ?? 0) + 1)
      return [...counts].map(([user_id, purchase_count]): CustomerCount => ({ user_id, purchase_count }))
    }

    const loyalCount = (all: ReadonlyArray<Purchase>, min_purchases: number) =>
      countsByCustomer(all).filter((c) => c.purchase_count >= min_purchases).length

    // The buckets by Effect's own time-zone arithmetic, independently of the SQL's; none for a branch
    // that does not exist.
    const salesOf = ({ branches, purchases: all }: InMemoryData, q: SalesQuery) => {
      if (q.branch_id !== undefined && !branches.some((b) => b.id === q.branch_id)) return Option.none()
      const zone = DateTime.zoneUnsafeMakeNamed(q.tz)
      // an hour later on the clock of the world (a repeated hour is two buckets), a day later on the zone's calendar
      const next = (start: DateTime.Zoned) =>
        q.bucket === "hour"
          ? DateTime.setZone(DateTime.add(DateTime.toUtc(start), { hours: 1 }), zone)
          : DateTime.add(start, { days: 1 })
      const ofBranch = all.filter((p) => q.branch_id === undefined || p.branch_id === q.branch_id)
      const latest = Math.max(...ofBranch.map((p) => DateTime.toEpochMillis(p.timestamp)))
      const last_sale_at = ofBranch.length === 0
        ? null
        : DateTime.unsafeMake(latest - (latest % QUARTER_HOUR_MS))
      const buckets = []
      for (
        let start = DateTime.startOf(DateTime.setZone(q.from, zone), q.bucket);
        DateTime.lessThan(start, q.to);
        start = next(start)
      ) {
        const end = next(start)
        const inBucket = ofBranch.filter((p) =>
          DateTime.greaterThanOrEqualTo(p.timestamp, start) && DateTime.lessThan(p.timestamp, end)
        )
        buckets.push({
          start: DateTime.toUtc(start),
          local_start: DateTime.formatIsoOffset(start).slice(0, 19),
          purchases: inBucket.length,
          revenue: sumCents(inBucket.map((p) => p.total_amount))
        })
      }
      return Option.some({ buckets, last_sale_at })
    }

    const analytics = AnalyticsRepo.make({
      figures: () =>
        Effect.map(Ref.get(state), (s) => ({
          version: s.purchases.length,
          purchases: s.purchases.length,
          revenue: sumCents(s.purchases.map((p) => p.total_amount)),
          customers: new Set(s.purchases.map((p) => p.user_id)).size,
          loyal_customers: loyalCount(s.purchases, DEFAULT_LOYAL_MIN_PURCHASES)
        })),
      sales: (query) => Effect.map(Ref.get(state), (s) => salesOf(s, query)),
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

/** CatalogRepo, PurchasesRepo, AnalyticsRepo, ApiKeysRepo and a transactional SqlClient over the same in-memory data (which changes behind nobody's back: no notifications). */
export const InMemoryDatabaseLive = (initial: Partial<InMemoryData> = {}) =>
  Layer.unwrapEffect(
    Effect.zipWith(makeInMemoryDatabase(initial), makeInMemoryApiKeys, (db, apiKeys) =>
      Layer.mergeAll(
        Layer.succeed(ApiKeysRepo, apiKeys),
        Layer.succeed(CatalogRepo, db.catalog),
        Layer.succeed(PurchasesRepo, db.purchases),
        Layer.succeed(AnalyticsRepo, db.analytics),
        Layer.succeed(SqlClient.SqlClient, db.sql),
        NoNotificationsLive
      ))
  )
