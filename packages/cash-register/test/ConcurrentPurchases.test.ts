import { HttpApiClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { SqlClient } from "@effect/sql"
import { expect, layer } from "@effect/vitest"
import { ApiKeyClientLive } from "@icash/auth/testing"
import { CashRegisterApiLive } from "@icash/cash-register"
import { CashRegisterApi, NewPurchase, type Purchase } from "@icash/domain"
import { RepositoriesLive } from "@icash/persistence"
import { testEngines } from "@icash/persistence/testing"
import { httpApiLive } from "@icash/runtime"
import { Effect, Layer, Logger, LogLevel, Schema } from "effect"

// Prices in cents, as the catalogue below lists them.
const prices = [150, 200, 300, 650, 80, 400]
const customer = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`
const poisoned = "0bad0bad-0bad-4bad-8bad-0bad0bad0bad"

/** Client `c`'s `i`-th basket: 1 to 4 distinct products, the same on every run. */
const basket = (c: number, i: number) => {
  const size = 1 + ((c * 7 + i * 3) % 4)
  const first = (c + i) % prices.length
  return Array.from({ length: size }, (_, k) => 1 + ((first + k) % prices.length))
}

const newPurchase = (branch_id: number, user_id: string, productIds: ReadonlyArray<number>) =>
  Schema.decodeUnknownSync(NewPurchase)({ branch_id, user_id, items: productIds.map((product_id) => ({ product_id })) })

const postRaw = (body: unknown) =>
  Effect.flatMap(
    HttpClient.HttpClient,
    (client) => client.execute(HttpClientRequest.post("/purchases").pipe(HttpClientRequest.bodyUnsafeJson(body)))
  ).pipe(
    Effect.flatMap((response) => Effect.map(response.json, (json) => ({ status: response.status, json })))
  )

const count = (sql: SqlClient.SqlClient, query: string) =>
  Effect.map(sql.unsafe<{ n: number }>(`SELECT (${query})::int AS n`), (rows) => rows[0]!.n)

const layerOptions = { excludeTestServices: true, timeout: "60 seconds" } as const

for (const engine of await testEngines()) {
  // The real Cash Register (HTTP, group commit, catalogue in memory) on a fresh database of its own.
  const ServerLive = ApiKeyClientLive().pipe(
    Layer.provideMerge(httpApiLive(CashRegisterApiLive)),
    Layer.provideMerge(RepositoriesLive),
    Layer.provideMerge(NodeHttpServer.layerTest),
    Layer.provideMerge(engine.database),
    Layer.provide(Logger.minimumLogLevel(LogLevel.Warning))
  )

  layer(ServerLive, layerOptions)(`concurrent purchases on ${engine.name}`, (it) => {
    it.effect("many clients posting at once: every purchase stored once, each answer its own, totals exact", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* sql`INSERT INTO branches (code, name) VALUES ('SMKT001', 'Centro'), ('SMKT002', 'Norte')`
        yield* sql`INSERT INTO products (product_name, unit_price)
                   VALUES ('milk', 1.5), ('bread', 2), ('eggs', 3), ('chicken', 6.5), ('apples', 0.8), ('cheese', 4)`
        const client = yield* HttpApiClient.make(CashRegisterApi)
        const clients = 16
        const each = 25
        const answers = yield* Effect.all(
          Array.from(
            { length: clients },
            (_, c) =>
              Effect.forEach(Array.from({ length: each }, (_, i) => i), (i) =>
                Effect.map(
                  // customers come back: 40 of them share the 400 purchases
                  client.purchases.create({
                    headers: {},
                    payload: newPurchase(1 + (i % 2), customer((c * each + i) % 40), basket(c, i))
                  }),
                  (purchase) => ({ c, i, purchase })
                ))
          ),
          { concurrency: "unbounded" }
        ).pipe(Effect.map((perClient) => perClient.flat()))

        expect(answers).toHaveLength(clients * each)
        expect(new Set(answers.map((a) => a.purchase.id)).size).toBe(clients * each)
        for (const { c, i, purchase } of answers) {
          const expected = [...basket(c, i)].sort((a, b) => a - b)
          expect(purchase.items.map((item) => item.product_id)).toEqual(expected)
          expect(purchase.items.map((item) => item.unit_price)).toEqual(expected.map((id) => prices[id - 1]))
          expect(purchase.total_amount).toBe(expected.reduce((sum, id) => sum + prices[id - 1]!, 0))
          expect(purchase.user_id).toBe(customer((c * each + i) % 40))
          expect(purchase.branch_id).toBe(1 + (i % 2))
        }
        // what each caller was told is what was stored
        for (const { purchase } of answers.filter((_, k) => k % 10 === 0)) {
          expect(yield* client.purchases.get({ path: { id: purchase.id } })).toEqual(purchase)
        }
        expect(yield* count(sql, "SELECT count(*) FROM purchases")).toBe(clients * each)
        expect(yield* count(sql, "SELECT count(*) FROM customers")).toBe(40)
        const revenue = answers.reduce((sum, a) => sum + a.purchase.total_amount, 0)
        expect(yield* count(sql, "SELECT sum(total_amount * 100) FROM purchases")).toBe(revenue)
        expect(yield* count(sql, "SELECT sum(unit_price * 100) FROM purchase_items")).toBe(revenue)
      }))

    it.effect("a purchase the database refuses fails alone: the others posted with it are stored", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* sql.unsafe(`
          CREATE FUNCTION refuse_poisoned() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            IF NEW.user_id = '${poisoned}' THEN RAISE EXCEPTION 'refused for the test'; END IF;
            RETURN NEW;
          END $$`)
        yield* sql`CREATE TRIGGER refuse_poisoned BEFORE INSERT ON purchases FOR EACH ROW EXECUTE FUNCTION refuse_poisoned()`
        const before = yield* count(sql, "SELECT count(*) FROM purchases")
        const answers = yield* Effect.all(
          Array.from(
            { length: 30 },
            (_, n) =>
              postRaw({
                branch_id: 1,
                user_id: n === 15 ? poisoned : customer(100 + n),
                items: [{ product_id: 1 + (n % 6) }]
              })
          ),
          { concurrency: "unbounded" }
        )
        yield* sql`DROP TRIGGER refuse_poisoned ON purchases`
        expect(answers.map((a) => a.status)).toEqual(answers.map((_, n) => (n === 15 ? 500 : 201)))
        expect(answers[15]!.json).toMatchObject({ _tag: "InternalError" })
        expect(yield* count(sql, "SELECT count(*) FROM purchases")).toBe(before + 29)
        expect(yield* count(sql, `SELECT count(*) FROM purchases WHERE user_id = '${poisoned}'`)).toBe(0)
        expect(yield* count(sql, `SELECT count(*) FROM customers WHERE id = '${poisoned}'`)).toBe(0)
        for (const [n, answer] of answers.entries()) {
          if (n !== 15) expect((answer.json as Purchase).user_id).toBe(customer(100 + n))
        }
      }))

    it.effect("uses a new price from the very next purchase, and sells a product or branch added a moment ago", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const client = yield* HttpApiClient.make(CashRegisterApi)
        yield* sql`UPDATE products SET unit_price = 9.99 WHERE id = 1`
        const repriced = yield* client.purchases.create({ headers: {}, payload: newPurchase(1, customer(1), [1, 2]) })
        expect(repriced.items.map((item) => item.unit_price)).toEqual([999, 200])
        expect(repriced.total_amount).toBe(1199)

        yield* sql`INSERT INTO products (product_name, unit_price) VALUES ('saffron', 12.34)`
        yield* sql`INSERT INTO branches (code, name) VALUES ('SMKT003', 'Sur')`
        const added = yield* client.purchases.create({ headers: {}, payload: newPurchase(3, customer(2), [7]) })
        expect(added.items.map((item) => [item.product_name, item.unit_price])).toEqual([["saffron", 1234]])
        expect((yield* client.catalog.listProducts()).find((p) => p.id === 1)?.unit_price).toBe(999)
        expect((yield* client.catalog.listBranches()).map((b) => b.code)).toContain("SMKT003")
      }))
  })
}
