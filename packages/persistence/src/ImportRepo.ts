import { SqlClient, SqlSchema } from "@effect/sql"
import { type Cents, formatCents } from "@icash/domain"
import { Array, Effect, Option, Schema } from "effect"
import { createPurchaseStaging, PURCHASE_STAGING } from "./PurchaseStaging.js"
import { EmbeddedPGlite } from "./RawConnection.js"
import { Int8 } from "./Rows.js"

/** A product as an iCash products file lists it. */
export interface ProductToImport {
  readonly product_name: string
  readonly unit_price: Cents
}

// Each chunk is one statement whose columns travel as a handful of array parameters (unnest),
// so the size is bounded by memory and round trips, not by pg's 65,535-parameter limit.
const CHUNK_SIZE = 5_000

const UpsertCounts = Schema.Struct({ added: Int8, updated: Int8 })
const AddedCount = Schema.Struct({ added: Int8 })
const InFileCounts = Schema.Struct({ in_file: Int8, added: Int8 })
const DuplicateRow = Schema.Struct({ line: Schema.Int, first_line: Schema.Int, duplicates: Int8 })
const SeqRange = Schema.Struct({ after: Schema.Int, upTo: Schema.Int })

const sumOf = (counts: ReadonlyArray<number>) => counts.reduce((sum, n) => sum + n, 0)

/**
 * Bulk writes for loading the iCash files: products straight from the file, purchases (with their
 * branches and customers) set-based from the staging table a file was COPied into (see
 * PurchaseStaging). Every write is idempotent; none opens a transaction, so the caller decides
 * what is all-or-nothing (the staging table lives as long as the caller's transaction).
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

    // For the statements of a bulk load, in this transaction only: no JIT (its compilation costs
    // more than it saves on these plans) and, on a server, room to sort and hash in memory. The
    // embedded engine's memory is this process's, and never given back: it keeps the defaults.
    const embedded = Option.isSome(yield* EmbeddedPGlite)
    const createStaging = Effect.zipRight(
      embedded
        ? sql`SELECT set_config('jit', 'off', true)`
        : sql`SELECT set_config('jit', 'off', true), set_config('work_mem', '64MB', true)`,
      sql.unsafe(createPurchaseStaging)
    )

    // Temporary tables are never analyzed by autovacuum; the statements below join on seq.
    const indexStaging = Effect.zipRight(
      sql.unsafe(`CREATE INDEX ON ${PURCHASE_STAGING} (seq)`),
      sql.unsafe(`ANALYZE ${PURCHASE_STAGING}`)
    )

    // A purchase whose import key an earlier line of the file has (its first line: the one kept).
    // Grouped by key first: with no repeated key (the rule), the rows are not even joined.
    const stagedDuplicates = SqlSchema.findAll({
      Request: Schema.Number,
      Result: DuplicateRow,
      execute: (limit) =>
        sql`
          WITH repeated AS (
            SELECT import_key, min(line) AS first_line FROM ${sql(PURCHASE_STAGING)}
            GROUP BY import_key HAVING count(*) > 1
          )
          SELECT staged.line, repeated.first_line, count(*) OVER () AS duplicates
          FROM ${sql(PURCHASE_STAGING)} AS staged JOIN repeated USING (import_key)
          WHERE staged.line <> repeated.first_line
          ORDER BY staged.line
          LIMIT ${limit}`
    })

    const insertBranches = SqlSchema.single({
      Request: Schema.Void,
      Result: InFileCounts,
      execute: () =>
        sql`
          WITH codes AS (
            SELECT DISTINCT branch_code AS code FROM ${sql(PURCHASE_STAGING)}
          ), inserted AS (
            INSERT INTO branches (code, name)
            SELECT code, code FROM codes ORDER BY code
            ON CONFLICT (code) DO NOTHING
            RETURNING id
          )
          SELECT (SELECT count(*) FROM codes) AS in_file, (SELECT count(*) FROM inserted) AS added`
    })

    // A customer seen again keeps the earliest first_seen_at of all the files loaded.
    const upsertCustomers = SqlSchema.single({
      Request: Schema.Void,
      Result: InFileCounts,
      execute: () =>
        sql`
          WITH first_seen AS (
            SELECT user_id AS id, min("timestamp") AS first_seen_at FROM ${sql(PURCHASE_STAGING)} GROUP BY user_id
          ), upserted AS (
            INSERT INTO customers (id, first_seen_at)
            SELECT id, first_seen_at FROM first_seen ORDER BY id
            ON CONFLICT (id) DO UPDATE SET first_seen_at = EXCLUDED.first_seen_at
            WHERE EXCLUDED.first_seen_at < customers.first_seen_at
            RETURNING (xmax = 0) AS inserted
          )
          SELECT (SELECT count(*) FROM first_seen) AS in_file,
                 (SELECT count(*) FROM upserted WHERE inserted) AS added`
    })

    // One statement per slice writes the purchases not present yet (by import_key) and the items of
    // those it wrote. Each purchase's id is drawn from the column's own sequence before the insert,
    // so that the items join the purchases the statement returned on that id, whatever the planner
    // knows of the tables; ids follow the file's order.
    const insertPurchaseSlice = SqlSchema.single({
      Request: SeqRange,
      Result: AddedCount,
      execute: ({ after, upTo }) =>
        sql`
          WITH slice AS MATERIALIZED (
            SELECT nextval(pg_get_serial_sequence('purchases', 'id')) AS id, ordered.*
            FROM (
              SELECT staged.seq, branches.id AS branch_id, staged.user_id, staged."timestamp", staged.total_cents,
                     staged.import_key, staged.product_ids, staged.unit_cents
              FROM ${sql(PURCHASE_STAGING)} AS staged JOIN branches ON branches.code = staged.branch_code
              WHERE staged.seq > ${after} AND staged.seq <= ${upTo}
              ORDER BY staged.seq
            ) AS ordered
          ), inserted AS (
            INSERT INTO purchases (id, supermarket_id, user_id, "timestamp", total_amount, import_key)
            OVERRIDING SYSTEM VALUE
            SELECT id, branch_id, user_id, "timestamp", total_cents / 100.0, import_key FROM slice ORDER BY id
            ON CONFLICT (import_key) DO NOTHING
            RETURNING id
          ), items AS (
            INSERT INTO purchase_items (purchase_id, product_id, quantity, unit_price)
            SELECT slice.id, item.product_id, 1, item.unit_cents / 100.0
            FROM inserted
            JOIN slice USING (id)
            CROSS JOIN LATERAL unnest(slice.product_ids, slice.unit_cents) AS item (product_id, unit_cents)
          )
          SELECT count(*) AS added FROM inserted`
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

      /**
       * An empty staging table for a purchases file (see PurchaseStaging), gone with the
       * transaction, which is set up for bulk statements.
       */
      createPurchaseStaging: createStaging.pipe(
        Effect.asVoid,
        Effect.orDie,
        Effect.withSpan("ImportRepo.createStaging")
      ),

      /**
       * The staged purchases that repeat an earlier line's purchase (same import key): the first
       * `limit` by line, and how many there are in all.
       */
      stagedDuplicates: (limit: number) =>
        stagedDuplicates(limit).pipe(
          Effect.map((rows) => ({
            rows: rows.map(({ first_line, line }) => ({ line, first_line })),
            count: rows[0]?.duplicates ?? 0
          })),
          Effect.orDie,
          Effect.withSpan("ImportRepo.stagedDuplicates")
        ),

      /** Readies the staged purchases for writing, once they are all loaded. */
      indexPurchaseStaging: indexStaging.pipe(Effect.asVoid, Effect.orDie, Effect.withSpan("ImportRepo.indexStaging")),

      /** Creates a branch named after each new code of the staged purchases (ids in code order). */
      insertStagedBranches: insertBranches(undefined).pipe(
        Effect.orDie,
        Effect.withSpan("ImportRepo.insertStagedBranches")
      ),

      /** Inserts the staged purchases' new customers, first seen at their earliest purchase. */
      upsertStagedCustomers: upsertCustomers(undefined).pipe(
        Effect.orDie,
        Effect.withSpan("ImportRepo.upsertStagedCustomers")
      ),

      /**
       * Inserts the staged purchases with `after < seq <= upTo` that are not present yet (by
       * import_key), with their items; returns how many. The branches and customers must exist.
       */
      insertStagedPurchases: (after: number, upTo: number) =>
        insertPurchaseSlice({ after, upTo }).pipe(
          Effect.map(({ added }) => added),
          Effect.orDie,
          Effect.withSpan("ImportRepo.insertStagedPurchases", {
            attributes: { "icash.after": after, "icash.up_to": upTo }
          })
        )
    } as const
  })
}) {}
