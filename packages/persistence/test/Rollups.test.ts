import { SqlClient } from "@effect/sql"
import { layer } from "@effect/vitest"
import {
  Branch,
  BranchId,
  cents,
  customerId,
  parseDecimalCents,
  ProductId,
  Purchase,
  PurchaseId,
  PurchaseItem
} from "@icash/domain"
import {
  AnalyticsRepo,
  type LoyalCustomersAfter,
  PurchasesRepo,
  type SalesFound,
  type SalesQuery
} from "@icash/persistence"
import { makeInMemoryDatabase, testEngines } from "@icash/persistence/testing"
import { DateTime, Effect, FastCheck as fc, Layer, Option } from "effect"
import { expect } from "vitest"

const Repos = Layer.mergeAll(PurchasesRepo.Default, AnalyticsRepo.Default)

const layerOptions = { excludeTestServices: true, timeout: "120 seconds" } as const

const BRANCHES = 3
const PRODUCTS = 6
const customers = Array.from(
  { length: 8 },
  (_, i) => customerId(`${String(i + 1).repeat(8)}-0000-4000-8000-00000000000${i}`)
)

const Group = fc.array(
  fc.record({
    branch: fc.integer({ min: 1, max: BRANCHES }),
    customer: fc.integer({ min: 0, max: customers.length - 1 }),
    products: fc.uniqueArray(fc.integer({ min: 1, max: PRODUCTS }), { minLength: 1, maxLength: 4 })
  }),
  { minLength: 1, maxLength: 6 }
)

/** The figures straight from the purchases, as the analytics computed them before the rollups. */
const fromPurchases = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const [totals] = yield* sql<{ purchases: number; revenue: string; customers: number }>`
    SELECT count(*)::int AS purchases, coalesce(sum(total_amount), 0)::text AS revenue,
           count(DISTINCT user_id)::int AS customers FROM purchases`
  const loyal = yield* sql<{ user_id: string; purchase_count: number }>`
    SELECT user_id::text, count(*)::int AS purchase_count FROM purchases GROUP BY user_id
    ORDER BY purchase_count DESC, user_id`
  const top = yield* sql<{ product_id: number; units_sold: number; revenue: string; rank: number }>`
    WITH sales AS (SELECT product_id, count(*) AS units_sold, sum(unit_price) AS revenue
                   FROM purchase_items GROUP BY product_id)
    SELECT product_id, units_sold::int, revenue::text, (rank() OVER (ORDER BY units_sold DESC))::int AS rank
    FROM sales ORDER BY rank, product_id`
  return { totals: totals!, loyal, top }
})

/** Every page of loyal customers at `min`, two at a time, following each page's last row. */
const allLoyalPages = (min: number) =>
  Effect.gen(function*() {
    const repo = yield* AnalyticsRepo
    const all: Array<{ user_id: string; purchase_count: number }> = []
    let after: LoyalCustomersAfter | undefined
    for (;;) {
      const page = yield* repo.loyalCustomers({ min_purchases: min, limit: 2, after })
      for (const row of page) all.push(row)
      if (page.length < 2) return all
      after = page.at(-1)
    }
  })

/** Customers with at least `min` purchases, from the rollup that counts customers per purchase count. */
const loyalCountFromHistogram = (min: number) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.map(
      sql<{ count: number }>`SELECT coalesce(sum(customers), 0)::int AS count FROM customers_by_purchase_count
                             WHERE purchase_count >= ${min}`,
      ([row]) => row!.count
    ))

/** Purchases and revenue per slot of the sales rollups, as stored and straight from the purchases. */
const salesSlots = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const slotsOf = (width: "15 minutes" | "1 hour") =>
    sql`date_bin(${width}::interval, "timestamp", TIMESTAMPTZ '2000-01-01 00:00:00+00')`
  const read = <A extends object>(statement: Effect.Effect<ReadonlyArray<A>, unknown>) =>
    Effect.map(statement, (rows) => rows.map((row) => JSON.stringify(row)))
  const stored = {
    quarters: yield* read(
      sql`SELECT branch_id, slot, purchases::int, revenue::text FROM sales_by_quarter_hour ORDER BY 1, 2`
    ),
    chainQuarters: yield* read(
      sql`SELECT slot, purchases::int, revenue::text FROM chain_sales_by_quarter_hour ORDER BY 1`
    ),
    hours: yield* read(sql`SELECT branch_id, slot, purchases::int, revenue::text FROM sales_by_hour ORDER BY 1, 2`),
    chainHours: yield* read(sql`SELECT slot, purchases::int, revenue::text FROM chain_sales_by_hour ORDER BY 1`)
  }
  const computed = {
    quarters: yield* read(sql`SELECT supermarket_id AS branch_id, ${slotsOf("15 minutes")} AS slot,
                                     count(*)::int AS purchases, sum(total_amount)::text AS revenue
                              FROM purchases GROUP BY 1, 2 ORDER BY 1, 2`),
    chainQuarters: yield* read(sql`SELECT ${slotsOf("15 minutes")} AS slot, count(*)::int AS purchases,
                                          sum(total_amount)::text AS revenue
                                   FROM purchases GROUP BY 1 ORDER BY 1`),
    hours: yield* read(sql`SELECT supermarket_id AS branch_id, ${slotsOf("1 hour")} AS slot,
                                  count(*)::int AS purchases, sum(total_amount)::text AS revenue
                           FROM purchases GROUP BY 1, 2 ORDER BY 1, 2`),
    chainHours: yield* read(sql`SELECT ${slotsOf("1 hour")} AS slot, count(*)::int AS purchases,
                                       sum(total_amount)::text AS revenue
                                FROM purchases GROUP BY 1 ORDER BY 1`)
  }
  return { stored, computed }
})

const expectRollupsExact = Effect.gen(function*() {
  const repo = yield* AnalyticsRepo
  const slots = yield* salesSlots
  expect(slots.stored).toEqual(slots.computed)
  const truth = yield* fromPurchases
  const figures = yield* repo.figures()
  expect(figures.purchases).toBe(truth.totals.purchases)
  expect(figures.revenue).toBe(parseDecimalCents(truth.totals.revenue))
  expect(figures.customers).toBe(truth.totals.customers)
  expect(yield* repo.uniqueCustomers()).toBe(truth.totals.customers)
  for (const min of [1, 2, 3, 4, 6]) {
    const loyal = truth.loyal.filter((c) => c.purchase_count >= min)
    expect(yield* loyalCountFromHistogram(min)).toBe(loyal.length)
    expect(yield* allLoyalPages(min)).toEqual(loyal)
  }
  expect(figures.loyal_customers).toBe(truth.loyal.filter((c) => c.purchase_count >= 3).length)
  for (const limit of [1, 2, 3]) {
    const top = yield* repo.topProducts(limit)
    expect(top.map(({ product_id, rank, revenue, units_sold }) => ({ product_id, units_sold, revenue, rank })))
      .toEqual(
        truth.top.filter((t) => t.rank <= limit).map((t) => ({ ...t, revenue: parseDecimalCents(t.revenue) }))
      )
  }
})

const at = (iso: string) => DateTime.unsafeMake(iso)

// Purchases around both 2026 DST changes of Paris and New York, and in a half-hour zone.
const timestamps = [
  "2026-03-28T22:59:59Z",
  "2026-03-28T23:00:00Z",
  "2026-03-29T00:30:00Z",
  "2026-03-29T01:00:00Z",
  "2026-03-29T01:59:59.999Z",
  "2026-03-29T22:10:00Z",
  "2026-10-25T00:15:00Z",
  "2026-10-25T00:45:00Z",
  "2026-10-25T01:15:00Z",
  "2026-10-25T02:00:00Z",
  "2026-10-25T23:30:00Z",
  "2026-11-01T05:30:00Z",
  "2026-11-01T06:30:00Z",
  // either side of midnight in Kathmandu (UTC+5:45) and in St. John's (UTC-2:30 in summer)
  "2026-03-28T18:14:59Z",
  "2026-03-28T18:15:00Z",
  "2026-03-29T02:29:59Z",
  "2026-03-29T02:30:00Z"
]

const salesQueries: ReadonlyArray<SalesQuery> = ([
  { from: at("2026-03-28T00:00:00Z"), to: at("2026-03-31T00:00:00Z"), bucket: "hour", tz: "Europe/Paris" },
  { from: at("2026-03-27T00:00:00Z"), to: at("2026-03-31T00:00:00Z"), bucket: "day", tz: "Europe/Paris" },
  { from: at("2026-10-24T12:00:00Z"), to: at("2026-10-26T12:00:00Z"), bucket: "hour", tz: "Europe/Paris" },
  { from: at("2026-10-20T00:00:00Z"), to: at("2026-11-03T00:00:00Z"), bucket: "day", tz: "Europe/Paris" },
  { from: at("2026-10-31T00:00:00Z"), to: at("2026-11-02T00:00:00Z"), bucket: "hour", tz: "America/New_York" },
  { from: at("2026-03-01T00:00:00Z"), to: at("2026-11-05T00:00:00Z"), bucket: "day", tz: "America/New_York" },
  { from: at("2026-03-28T00:00:00Z"), to: at("2026-03-30T00:00:00Z"), bucket: "hour", tz: "Asia/Kolkata" },
  { from: at("2026-10-24T00:00:00Z"), to: at("2026-10-27T00:00:00Z"), bucket: "day", tz: "UTC" },
  { from: at("2026-03-26T00:00:00Z"), to: at("2026-03-31T00:00:00Z"), bucket: "day", tz: "Asia/Kathmandu" },
  { from: at("2026-03-26T00:00:00Z"), to: at("2026-03-31T00:00:00Z"), bucket: "day", tz: "America/St_Johns" },
  { from: at("2026-03-28T12:00:00Z"), to: at("2026-03-29T12:00:00Z"), bucket: "hour", tz: "Asia/Kathmandu" }
] satisfies ReadonlyArray<Omit<SalesQuery, "branch_id">>).flatMap((
  q
) => [{ ...q, branch_id: undefined }, { ...q, branch_id: 2 }])

for (const engine of await testEngines()) {
  layer(Repos.pipe(Layer.provideMerge(engine.database)), layerOptions)(`rollups on ${engine.name}`, (it) => {
    it.effect("stay exact through groups, concurrent groups, imports and deletes", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const purchases = yield* PurchasesRepo
        for (let b = 1; b <= BRANCHES; b++) yield* sql`INSERT INTO branches (code, name) VALUES (${`B${b}`}, 'b')`
        for (let p = 1; p <= PRODUCTS; p++) {
          yield* sql`INSERT INTO products (product_name, unit_price) VALUES (${`p${p}`}, ${`${p}.${p}5`})`
        }
        yield* expectRollupsExact

        const store = (group: typeof Group extends fc.Arbitrary<infer G> ? G : never) =>
          purchases.insertGroup(group.map((p) => ({
            branch_id: BranchId.make(p.branch),
            user_id: customers[p.customer]!,
            product_ids: p.products.map((id) => ProductId.make(id))
          })))

        // groups one after another, then several written at the same time
        for (const groups of fc.sample(fc.array(Group, { minLength: 1, maxLength: 4 }), { numRuns: 12, seed: 7 })) {
          yield* Effect.forEach(groups, store, { concurrency: "unbounded" })
          yield* expectRollupsExact
        }

        // a purchase written by hand (as an import does), then a delete: the rollups follow
        yield* sql`INSERT INTO customers (id) VALUES (${customers[0]!}) ON CONFLICT DO NOTHING`
        yield* sql`
          WITH p AS (INSERT INTO purchases (supermarket_id, user_id, total_amount) VALUES (1, ${customers[0]!}, 1.15)
                     RETURNING id)
          INSERT INTO purchase_items (purchase_id, product_id, unit_price) SELECT id, 1, 1.15 FROM p`
        yield* expectRollupsExact
        yield* sql`DELETE FROM purchases WHERE id = (SELECT min(id) FROM purchases)`
        yield* expectRollupsExact
      }))

    it.effect("give sales per hour and per day of a time zone, exact across DST changes", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const repo = yield* AnalyticsRepo
        yield* sql`DELETE FROM purchases`
        // before the first sale there is no latest one
        const none = Option.getOrThrow(yield* repo.sales(salesQueries[0]!))
        expect(none.last_sale_at).toBeNull()
        expect(none.buckets.every((bucket) => bucket.purchases === 0)).toBe(true)
        const stored = timestamps.map((timestamp, i) =>
          new Purchase({
            id: PurchaseId.make(i + 1),
            branch_id: BranchId.make((i % BRANCHES) + 1),
            user_id: customers[i % customers.length]!,
            timestamp: at(timestamp),
            total_amount: cents(100 + i),
            items: [
              new PurchaseItem({
                product_id: ProductId.make(1),
                product_name: "p1",
                quantity: 1,
                unit_price: cents(100 + i)
              })
            ]
          })
        )
        yield* sql`INSERT INTO customers (id) SELECT DISTINCT unnest(${customers}::uuid[]) ON CONFLICT DO NOTHING`
        yield* sql`
          INSERT INTO purchases (supermarket_id, user_id, "timestamp", total_amount)
          SELECT * FROM unnest(${stored.map((p) => p.branch_id)}::int[], ${stored.map((p) => p.user_id)}::uuid[],
                               ${timestamps}::timestamptz[], ${
          stored.map((p) => (p.total_amount / 100).toFixed(2))
        }::numeric[])`
        const branches = (yield* sql<{ id: number; code: string }>`SELECT id, code FROM branches`)
          .map((row) => new Branch({ id: BranchId.make(row.id), code: row.code, name: "b" }))
        const oracle = yield* makeInMemoryDatabase({ branches, purchases: stored })
        const readable = Option.map((found: SalesFound) => ({
          last_sale_at: found.last_sale_at === null ? null : DateTime.formatIso(found.last_sale_at),
          buckets: found.buckets.map((row) => ({ ...row, start: DateTime.formatIso(row.start) }))
        }))
        for (const query of salesQueries) {
          const fromSql = yield* repo.sales(query)
          expect(Option.isSome(fromSql), JSON.stringify(query)).toBe(true)
          expect(readable(fromSql), JSON.stringify(query)).toEqual(readable(yield* oracle.analytics.sales(query)))
        }
        // no row for a branch that does not exist, however long the range
        for (const query of salesQueries.slice(0, 2)) {
          const unknownBranch = { ...query, branch_id: BRANCHES + 1 }
          expect(yield* repo.sales(unknownBranch)).toEqual(Option.none())
          expect(yield* oracle.analytics.sales(unknownBranch)).toEqual(Option.none())
        }
        // a day of 23 and of 25 hours in Paris
        const { buckets: days } = Option.getOrThrow(
          yield* repo.sales(salesQueries.find((q) => q.bucket === "day" && q.tz === "Europe/Paris")!)
        )
        const lengths = days.slice(0, -1).map((day, i) =>
          (DateTime.toEpochMillis(days[i + 1]!.start) - DateTime.toEpochMillis(day.start)) / 3_600_000
        )
        expect(lengths).toContain(23)
        const { buckets: hours } = Option.getOrThrow(yield* repo.sales(salesQueries[4]!))
        expect(hours.filter((h) => h.local_start === "2026-10-25T02:00:00")).toHaveLength(2)
      }))
  })
}
