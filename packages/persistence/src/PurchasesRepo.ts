import { SqlClient, SqlSchema } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import {
  BranchId,
  type Cents,
  CustomerId,
  MoneyFromDecimalString,
  parseDecimalCents,
  ProductId,
  Purchase,
  PurchaseId,
  PurchaseItem
} from "@icash/domain"
import { DateTime, Effect, Option, Schema } from "effect"
import { Int8, Timestamp } from "./Rows.js"

/** A validated purchase, ready to store: the database prices it at its products' current prices. */
export interface PurchaseToStore {
  readonly branch_id: BranchId
  readonly user_id: CustomerId
  readonly product_ids: ReadonlyArray<ProductId>
  /** The client's Idempotency-Key and the fingerprint of its request, stored with the purchase. */
  readonly idempotency?: { readonly key: string; readonly fingerprint: string } | undefined
}

/**
 * What storing a purchase gave: the purchase just stored, or, for an Idempotency-Key already
 * stored, the purchase stored then and the fingerprint of the request that stored it.
 */
export type StoredPurchase =
  | { readonly _tag: "Stored"; readonly purchase: Purchase }
  | { readonly _tag: "Replayed"; readonly purchase: Purchase; readonly fingerprint: string }

// One row per item of the stored group, in the group's order, each purchase's items by product id.
interface StoredItemRow {
  readonly ord: number
  readonly id: PurchaseId
  readonly branch_id: BranchId
  readonly user_id: CustomerId
  readonly replayed_for: string | null
  readonly timestamp: DateTime.Utc
  readonly total_amount: Cents
  readonly product_id: ProductId
  readonly product_name: string
  readonly unit_price: Cents
}

/**
 * A row of the group's statement as the driver gives it, converted by hand: the statement is ours
 * and its columns are typed, so this does what decoding it with `StoredItemRow` did (which was about
 * 15% of all the memory a purchase allocates) without Schema's per-field work. An amount that is not
 * one throws, which dies like a row that failed to decode.
 */
const toStoredItemRow = (row: Record<string, unknown>): StoredItemRow => ({
  ord: Number(row["ord"]),
  id: Number(row["id"]) as PurchaseId,
  branch_id: row["branch_id"] as BranchId,
  user_id: row["user_id"] as CustomerId,
  replayed_for: row["replayed_for"] as string | null,
  timestamp: DateTime.unsafeFromDate(row["timestamp"] as Date),
  total_amount: amount(row["total_amount"]),
  product_id: row["product_id"] as ProductId,
  product_name: row["product_name"] as string,
  unit_price: amount(row["unit_price"])
})

const amount = (text: unknown) => {
  const cents = typeof text === "string" ? parseDecimalCents(text) : undefined
  if (cents === undefined) throw new Error(`the database returned ${String(text)} as an amount of money`)
  return cents
}

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

    // One statement stores a whole group, atomically even outside a transaction: the customers
    // (a first purchase creates its customer), the purchases with ids drawn up front (so each row
    // maps back to its place in the group), their items priced from the products as they are now,
    // and their Idempotency-Keys. An unknown product leaves its price NULL, which the items table
    // refuses: the statement fails whole rather than store a wrong total. A purchase whose key is
    // already stored is not stored again: the statement returns the purchase stored with the key.
    // The statement is the function icash_store_group (migration 0009), so that its plan is kept.
    const insertGroup = (group: ReadonlyArray<PurchaseToStore>) =>
      Effect.map(
        sql<Record<string, unknown>>`
          SELECT * FROM icash_store_group(
            ${group.map((p) => p.branch_id)}::integer[],
            ${group.map((p) => p.user_id)}::uuid[],
            ${group.map((p) => p.idempotency?.key ?? null)}::text[],
            ${group.map((p) => p.idempotency?.fingerprint ?? null)}::text[],
            ${group.flatMap((p, i) => p.product_ids.map(() => i + 1))}::integer[],
            ${group.flatMap((p) => p.product_ids)}::integer[]
          )`,
        (rows) => rows.map(toStoredItemRow)
      )

    /** The group's purchases, in the group's order, from the rows the statement returned. */
    const toPurchases = (group: ReadonlyArray<PurchaseToStore>, rows: ReadonlyArray<StoredItemRow>) => {
      const items = group.map((): Array<PurchaseItem> => [])
      const stored: Array<StoredItemRow | undefined> = group.map(() => undefined)
      for (const row of rows) {
        stored[row.ord - 1] = row
        items[row.ord - 1]!.push(
          new PurchaseItem(
            { product_id: row.product_id, product_name: row.product_name, quantity: 1, unit_price: row.unit_price },
            true
          )
        )
      }
      return group.map((_, i): StoredPurchase => {
        const row = stored[i]
        if (row === undefined) throw new Error(`the statement returned no row for purchase ${i + 1} of its group`)
        const purchase = new Purchase({
          id: row.id,
          branch_id: row.branch_id,
          user_id: row.user_id,
          timestamp: row.timestamp,
          total_amount: row.total_amount,
          items: items[i]!
        }, true)
        return row.replayed_for === null
          ? { _tag: "Stored", purchase }
          : { _tag: "Replayed", purchase, fingerprint: row.replayed_for }
      })
    }

    const forgetKeysBefore = SqlSchema.single({
      Request: Schema.DateFromSelf,
      Result: Schema.Struct({ count: Int8 }),
      execute: (before) =>
        sql`WITH gone AS (DELETE FROM idempotency_keys WHERE created_at < ${before} RETURNING 1)
            SELECT count(*) AS count FROM gone`
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
      /**
       * Stores a group of purchases in one statement, all or none, and answers them in the group's
       * order as stored: priced at the current prices, items by product id; a purchase whose
       * Idempotency-Key was stored before is answered with the purchase stored then. A SqlError means
       * none was stored.
       */
      insertGroup: (group: ReadonlyArray<PurchaseToStore>): Effect.Effect<ReadonlyArray<StoredPurchase>, SqlError> =>
        insertGroup(group).pipe(
          Effect.map((rows) => toPurchases(group, rows))
        ),
      findById: (id: PurchaseId): Effect.Effect<Option.Option<Purchase>> =>
        Effect.gen(function*() {
          const row = yield* purchaseById(id)
          if (Option.isNone(row)) return Option.none()
          const items = yield* itemsOf(id)
          return Option.some(
            new Purchase({ ...row.value, items: items.map((item) => new PurchaseItem(item, true)) }, true)
          )
        }).pipe(Effect.orDie, Effect.withSpan("PurchasesRepo.findById")),
      /** Forgets the Idempotency-Keys stored before `before`; answers how many. */
      forgetKeysBefore: (before: Date): Effect.Effect<number> =>
        forgetKeysBefore(before).pipe(
          Effect.map((row) => row.count),
          Effect.orDie,
          Effect.withSpan("PurchasesRepo.forgetKeysBefore")
        )
    } as const
  })
}) {}
