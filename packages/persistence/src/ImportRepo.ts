import { SqlClient, SqlSchema } from "@effect/sql"
import { BranchId, type Cents, type CustomerId, formatCents, type ProductId } from "@icash/domain"
import { Array, Effect, Schema } from "effect"
import { Int8 } from "./Rows.js"

/** A product as an iCash products file lists it. */
export interface ProductToImport {
  readonly product_name: string
  readonly unit_price: Cents
}

/** A customer seen in an iCash purchases file, with the time of their earliest purchase there. */
export interface CustomerToImport {
  readonly id: CustomerId
  /** ISO 8601 UTC, up to microseconds: a JS Date would lose them. */
  readonly first_seen_at: string
}

/** A purchase from an iCash purchases file, resolved against branches and products. */
export interface PurchaseToImport {
  /** Identifies the row across runs, so that loading a file twice adds nothing. */
  readonly import_key: string
  readonly branch_id: BranchId
  readonly user_id: CustomerId
  /** ISO 8601 UTC, up to microseconds. */
  readonly timestamp: string
  readonly total_amount: Cents
  readonly items: ReadonlyArray<{ readonly product_id: ProductId; readonly unit_price: Cents }>
}

export interface ImportedBranch {
  readonly id: BranchId
  readonly code: string
}

// Each chunk is one statement whose columns travel as a handful of array parameters (unnest),
// so the size is bounded by memory and round trips, not by pg's 65,535-parameter limit.
const CHUNK_SIZE = 5_000

const UpsertCounts = Schema.Struct({ added: Int8, updated: Int8 })
const AddedCount = Schema.Struct({ added: Int8 })
const BranchRow = Schema.Struct({ id: BranchId, code: Schema.String })

const sumOf = (counts: ReadonlyArray<number>) => counts.reduce((sum, n) => sum + n, 0)

/**
 * Bulk writes for loading the iCash files. Every write is idempotent; none opens a transaction,
 * so the caller decides what is all-or-nothing.
 */
export class ImportRepo extends Effect.Service<ImportRepo>()("persistence/ImportRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    // A changed price updates the current one; an unchanged product is left alone (not counted).
    const upsertProductChunk = SqlSchema.single({
      Request: Schema.Any,
      Result: UpsertCounts,
      execute: (products: ReadonlyArray<ProductToImport>) =>
        sql`
          WITH upserted AS (
            INSERT INTO products (product_name, unit_price)
            SELECT * FROM unnest(
              ${products.map((p) => p.product_name)}::text[],
              ${products.map((p) => formatCents(p.unit_price))}::numeric[]
            )
            ON CONFLICT (product_name) DO UPDATE SET unit_price = EXCLUDED.unit_price
            WHERE products.unit_price IS DISTINCT FROM EXCLUDED.unit_price
            RETURNING (xmax = 0) AS inserted
          )
          SELECT count(*) FILTER (WHERE inserted) AS added, count(*) FILTER (WHERE NOT inserted) AS updated
          FROM upserted`
    })

    const insertBranches = SqlSchema.single({
      Request: Schema.Any,
      Result: AddedCount,
      execute: (codes: ReadonlyArray<string>) =>
        sql`
          WITH inserted AS (
            INSERT INTO branches (code, name)
            SELECT code, code FROM unnest(${codes}::text[]) AS input (code) ORDER BY code
            ON CONFLICT (code) DO NOTHING
            RETURNING id
          )
          SELECT count(*) AS added FROM inserted`
    })

    const branchesByCode = SqlSchema.findAll({
      Request: Schema.Any,
      Result: BranchRow,
      execute: (codes: ReadonlyArray<string>) =>
        sql`SELECT id, code FROM branches WHERE code = ANY(${codes}::text[]) ORDER BY code`
    })

    // A customer seen again keeps the earliest first_seen_at of all the files loaded.
    const upsertCustomerChunk = SqlSchema.single({
      Request: Schema.Any,
      Result: UpsertCounts,
      execute: (customers: ReadonlyArray<CustomerToImport>) =>
        sql`
          WITH upserted AS (
            INSERT INTO customers (id, first_seen_at)
            SELECT * FROM unnest(
              ${customers.map((c) => c.id)}::uuid[],
              ${customers.map((c) => c.first_seen_at)}::timestamptz[]
            )
            ON CONFLICT (id) DO UPDATE SET first_seen_at = EXCLUDED.first_seen_at
            WHERE EXCLUDED.first_seen_at < customers.first_seen_at
            RETURNING (xmax = 0) AS inserted
          )
          SELECT count(*) FILTER (WHERE inserted) AS added, count(*) FILTER (WHERE NOT inserted) AS updated
          FROM upserted`
    })

    // Items are written only for the purchases this statement inserted: a purchase already
    // present (same import_key) keeps the items it has.
    const insertPurchaseChunk = SqlSchema.single({
      Request: Schema.Any,
      Result: AddedCount,
      execute: (purchases: ReadonlyArray<PurchaseToImport>) => {
        const items = purchases.flatMap((purchase, index) =>
          purchase.items.map((item) => ({ row_no: index + 1, ...item }))
        )
        return sql`
          WITH input AS (
            SELECT * FROM unnest(
              ${purchases.map((p) => p.import_key)}::text[],
              ${purchases.map((p) => p.branch_id)}::integer[],
              ${purchases.map((p) => p.user_id)}::uuid[],
              ${purchases.map((p) => p.timestamp)}::timestamptz[],
              ${purchases.map((p) => formatCents(p.total_amount))}::numeric[]
            ) WITH ORDINALITY AS input (import_key, supermarket_id, user_id, "timestamp", total_amount, row_no)
          ), inserted AS (
            INSERT INTO purchases (supermarket_id, user_id, "timestamp", total_amount, import_key)
            SELECT supermarket_id, user_id, "timestamp", total_amount, import_key FROM input ORDER BY row_no
            ON CONFLICT (import_key) DO NOTHING
            RETURNING id, import_key
          ), items AS (
            INSERT INTO purchase_items (purchase_id, product_id, quantity, unit_price)
            SELECT inserted.id, item.product_id, 1, item.unit_price
            FROM inserted
            JOIN input USING (import_key)
            JOIN unnest(
              ${items.map((i) => i.row_no)}::integer[],
              ${items.map((i) => i.product_id)}::integer[],
              ${items.map((i) => formatCents(i.unit_price))}::numeric[]
            ) AS item (row_no, product_id, unit_price) ON item.row_no = input.row_no
          )
          SELECT count(*) AS added FROM inserted`
      }
    })

    const inChunks = <A, B>(rows: ReadonlyArray<A>, write: (chunk: ReadonlyArray<A>) => Effect.Effect<B, unknown>) =>
      Effect.forEach(Array.chunksOf(rows, CHUNK_SIZE), write).pipe(Effect.orDie)

    return {
      /** Inserts new products and updates changed prices, by product_name. */
      upsertProducts: (products: ReadonlyArray<ProductToImport>) =>
        inChunks(products, upsertProductChunk).pipe(
          Effect.map((counts) => ({
            added: sumOf(counts.map((c) => c.added)),
            updated: sumOf(counts.map((c) => c.updated))
          })),
          Effect.withSpan("ImportRepo.upsertProducts", { attributes: { "icash.rows": products.length } })
        ),

      /** Creates a branch named after each new code (ids in code order); returns every code's branch. */
      ensureBranches: (codes: ReadonlyArray<string>) =>
        Effect.gen(function*() {
          const { added } = yield* insertBranches(codes)
          const branches: ReadonlyArray<ImportedBranch> = yield* branchesByCode(codes)
          return { added, branches }
        }).pipe(Effect.orDie, Effect.withSpan("ImportRepo.ensureBranches")),

      /** Inserts new customers; returns how many were new. */
      upsertCustomers: (customers: ReadonlyArray<CustomerToImport>) =>
        inChunks(customers, upsertCustomerChunk).pipe(
          Effect.map((counts) => sumOf(counts.map((c) => c.added))),
          Effect.withSpan("ImportRepo.upsertCustomers", { attributes: { "icash.rows": customers.length } })
        ),

      /** Inserts the purchases not present yet (by import_key) with their items; returns how many. */
      insertPurchases: (purchases: ReadonlyArray<PurchaseToImport>) =>
        inChunks(purchases, insertPurchaseChunk).pipe(
          Effect.map((counts) => sumOf(counts.map((c) => c.added))),
          Effect.withSpan("ImportRepo.insertPurchases", { attributes: { "icash.rows": purchases.length } })
        )
    } as const
  })
}) {}
