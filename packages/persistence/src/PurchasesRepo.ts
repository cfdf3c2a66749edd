import { SqlClient, SqlSchema } from "@effect/sql"
import {
  BranchId,
  type Cents,
  CustomerId,
  formatCents,
  MoneyFromDecimalString,
  ProductId,
  Purchase,
  PurchaseId,
  PurchaseItem
} from "@icash/domain"
import { type DateTime, Effect, Option, Schema } from "effect"
import { Int8, Timestamp } from "./Rows.js"

/** A priced purchase, ready to store. */
export interface PurchaseToStore {
  readonly branch_id: BranchId
  readonly user_id: CustomerId
  readonly total_amount: Cents
  readonly items: ReadonlyArray<{ readonly product_id: ProductId; readonly unit_price: Cents }>
}

export interface StoredPurchase {
  readonly id: PurchaseId
  readonly timestamp: DateTime.Utc
}

const StoredRow = Schema.Struct({ id: Schema.compose(Int8, PurchaseId), timestamp: Timestamp })

const PurchaseRow = Schema.Struct({
  id: Schema.compose(Int8, PurchaseId),
  branch_id: BranchId,
  user_id: CustomerId,
  timestamp: Timestamp,
  total_amount: MoneyFromDecimalString
})

const ItemRow = Schema.Struct({
  product_id: ProductId,
  product_name: Schema.String,
  quantity: Schema.Literal(1),
  unit_price: MoneyFromDecimalString
})

export class PurchasesRepo extends Effect.Service<PurchasesRepo>()("persistence/PurchasesRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    // One statement: the customer (first purchase creates it), the purchase and its items are
    // written atomically even outside a transaction.
    const insert = SqlSchema.single({
      Request: Schema.Any,
      Result: StoredRow,
      execute: (p: PurchaseToStore) =>
        sql`
          WITH customer AS (
            INSERT INTO customers (id) VALUES (${p.user_id}) ON CONFLICT (id) DO NOTHING
          ), purchase AS (
            INSERT INTO purchases (supermarket_id, user_id, total_amount)
            VALUES (${p.branch_id}, ${p.user_id}, ${formatCents(p.total_amount)}::numeric)
            RETURNING id, "timestamp"
          ), items AS (
            INSERT INTO purchase_items (purchase_id, product_id, quantity, unit_price)
            SELECT purchase.id, item.product_id, 1, item.unit_price
            FROM purchase, unnest(
              ${p.items.map((i) => i.product_id)}::integer[],
              ${p.items.map((i) => formatCents(i.unit_price))}::numeric[]
            ) AS item (product_id, unit_price)
          )
          SELECT id, "timestamp" FROM purchase`
    })

    const purchaseById = SqlSchema.findOne({
      Request: PurchaseId,
      Result: PurchaseRow,
      execute: (id) =>
        sql`SELECT id, supermarket_id AS branch_id, user_id::text, "timestamp", total_amount::text
            FROM purchases WHERE id = ${id}`
    })

    const itemsOf = SqlSchema.findAll({
      Request: PurchaseId,
      Result: ItemRow,
      execute: (id) =>
        sql`SELECT i.product_id, p.product_name, i.quantity, i.unit_price::text
            FROM purchase_items i JOIN products p ON p.id = i.product_id
            WHERE i.purchase_id = ${id} ORDER BY i.product_id`
    })

    return {
      insert: (purchase: PurchaseToStore): Effect.Effect<StoredPurchase> =>
        insert(purchase).pipe(Effect.orDie, Effect.withSpan("PurchasesRepo.insert")),
      findById: (id: PurchaseId): Effect.Effect<Option.Option<Purchase>> =>
        Effect.gen(function*() {
          const row = yield* purchaseById(id)
          if (Option.isNone(row)) return Option.none()
          const items = yield* itemsOf(id)
          return Option.some(new Purchase({ ...row.value, items: items.map((item) => new PurchaseItem(item)) }))
        }).pipe(Effect.orDie, Effect.withSpan("PurchasesRepo.findById"))
    } as const
  })
}) {}
