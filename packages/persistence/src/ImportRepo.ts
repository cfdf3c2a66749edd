import { SqlClient, SqlSchema } from "@effect/sql"
import { type Cents, formatCents } from "@icash/domain"
import { Array, Effect, Option, Schema } from "effect"
import { IMPORTED_ITEMS, IMPORTED_PURCHASES } from "./migrations/0007_fold_imports_once.js"
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
const LockedCount = Schema.Struct({ locked: Int8 })
const DuplicateRow = Schema.Struct({ line: Schema.Int, first_line: Schema.Int, duplicates: Int8 })
const SeqRange = Schema.Struct({ after: Schema.Int, upTo: Schema.Int })
const Slice = Schema.Struct({ ...SeqRange.fields, keepToFold: Schema.Boolean })

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

    // For the statements of a bulk load, in this transaction only, on a server: room to sort and
    // hash in memory (JIT is off on every connection already, see PgLive). The embedded engine's
    // memory is this process's, and never given back: it keeps the defaults.
    // The staging table is indexed on seq from the start: each slice is written as soon as it is
    // COPied, and read back by its range of seq. The purchases and items written while no trigger
    // fires are kept for `icash_fold_imported()` (migration 0007).
    const embedded = Option.isSome(yield* EmbeddedPGlite)
    const createStaging = Effect.all([
      embedded ? Effect.void : sql`SELECT set_config('work_mem', '64MB', true)`,
      sql.unsafe(createPurchaseStaging),
      sql.unsafe(`CREATE INDEX ON ${PURCHASE_STAGING} (seq)`),
      sql.unsafe(`
        CREATE TEMPORARY TABLE ${IMPORTED_PURCHASES} ON COMMIT DROP AS
        SELECT supermarket_id, user_id, "timestamp", total_amount FROM purchases WITH NO DATA`),
      sql.unsafe(`
        CREATE TEMPORARY TABLE ${IMPORTED_ITEMS} ON COMMIT DROP AS
        SELECT product_id, quantity, unit_price FROM purchase_items WITH NO DATA`)
    ], { discard: true })

    // Setting session_replication_role needs superuser (or a grant of it): tried in a savepoint,
    // with the value it has, so that nothing changes either way.
    const mayChangeReplicationRole = sql`
      SELECT set_config('session_replication_role', current_setting('session_replication_role'), true)`.pipe(
      sql.withTransaction,
      Effect.as(true),
      Effect.catchTag("SqlError", () => Effect.succeed(false))
    )
    const replicationRole = (role: "replica" | "origin") =>
      sql`SELECT set_config('session_replication_role', ${role}, true)`
    const asReplica = <A, E, R>(statement: Effect.Effect<A, E, R>) =>
      replicationRole("replica").pipe(Effect.zipRight(statement), Effect.zipLeft(replicationRole("origin")))

    // What the foreign keys' triggers would lock for the import's purchases, locked up front: every
    // branch (a handful; one the import adds is its own until it commits) and the products of the
    // catalogue the file was checked against. Returns how many of those products are still there.
    const lockReferences = SqlSchema.single({
      Request: Schema.Array(Schema.Int),
      Result: LockedCount,
      execute: (productIds) =>
        sql`
          WITH branches AS (SELECT id FROM branches FOR KEY SHARE),
          products AS (SELECT id FROM products WHERE id = ANY(${productIds}::integer[]) FOR KEY SHARE)
          SELECT (SELECT count(*) FROM products) AS locked, (SELECT count(*) FROM branches) AS branches`
    })

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
      Request: SeqRange,
      Result: AddedCount,
      execute: ({ after, upTo }) =>
        sql`
          WITH inserted AS (
            INSERT INTO branches (code, name)
            SELECT DISTINCT branch_code, branch_code FROM ${sql(PURCHASE_STAGING)}
            WHERE seq > ${after} AND seq <= ${upTo}
            ORDER BY branch_code
            ON CONFLICT (code) DO NOTHING
            RETURNING id
          )
          SELECT count(*) AS added FROM inserted`
    })

    // A slice's new customers, for the foreign key's check of its purchases (first seen at their
    // earliest purchase in the slice: upsertCustomers then makes it the file's earliest).
    const insertCustomers = SqlSchema.single({
      Request: SeqRange,
      Result: AddedCount,
      execute: ({ after, upTo }) =>
        sql`
          WITH inserted AS (
            INSERT INTO customers (id, first_seen_at)
            SELECT user_id, min("timestamp") FROM ${sql(PURCHASE_STAGING)}
            WHERE seq > ${after} AND seq <= ${upTo}
            GROUP BY user_id ORDER BY user_id
            ON CONFLICT (id) DO NOTHING
            RETURNING id
          )
          SELECT count(*) AS added FROM inserted`
    })

    // A customer seen again keeps the earliest first_seen_at of all the files loaded. ON CONFLICT
    // DO UPDATE locks every customer it meets, updated or not, until the import commits.
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
    // those it wrote. Each purchase's id is drawn from the column's own sequence (named once, not
    // per row) before the insert, so that the items go with the purchases the statement returned
    // by that id, whatever the planner knows of the tables; ids follow the file's order. The rows
    // go in by import_key: its unique index is the costliest to keep, and takes them in its order
    // at a fraction of the cost of the file's random one. With `keepToFold`, what it wrote is kept
    // for foldImported, as a trigger's transition tables would hold it.
    const keptToFold = sql`, kept AS (
        INSERT INTO ${sql(IMPORTED_PURCHASES)} SELECT supermarket_id, user_id, "timestamp", total_amount FROM inserted
      ), kept_items AS (
        INSERT INTO ${sql(IMPORTED_ITEMS)} SELECT * FROM items
      )`
    const insertPurchaseSlice = SqlSchema.single({
      Request: Slice,
      Result: AddedCount,
      execute: ({ after, keepToFold, upTo }) =>
        sql`
          WITH slice AS MATERIALIZED (
            SELECT nextval((SELECT pg_get_serial_sequence('purchases', 'id'))::regclass) AS id, ordered.*
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
            SELECT id, branch_id, user_id, "timestamp", total_cents / 100.0, import_key FROM slice ORDER BY import_key
            ON CONFLICT (import_key) DO NOTHING
            RETURNING id, supermarket_id, user_id, "timestamp", total_amount
          ), items AS (
            INSERT INTO purchase_items (purchase_id, product_id, quantity, unit_price)
            SELECT slice.id, item.product_id, 1, item.unit_cents / 100.0
            FROM slice
            CROSS JOIN LATERAL unnest(slice.product_ids, slice.unit_cents) AS item (product_id, unit_cents)
            WHERE slice.id IN (SELECT id FROM inserted)
            RETURNING product_id, quantity, unit_price
          )${keepToFold ? keptToFold : sql``}
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

      /**
       * Whether this transaction may skip the foreign keys' row-by-row checks of its inserts
       * (`session_replication_role`, which needs superuser or a grant).
       */
      mayCheckReferencesItself: mayChangeReplicationRole.pipe(Effect.withSpan("ImportRepo.mayCheckReferencesItself")),

      /**
       * Locks, until the transaction ends, the branches and the given products (key share, as the
       * foreign keys' checks do): none can go while the import refers to them. Returns how many of
       * the products exist.
       */
      lockReferences: (productIds: ReadonlyArray<number>) =>
        lockReferences(productIds).pipe(
          Effect.map(({ locked }) => locked),
          Effect.orDie,
          Effect.withSpan("ImportRepo.lockReferences")
        ),

      /**
       * Keeps other writers of customers (the Cash Register's purchases) waiting until the import
       * commits. For an import whose slices insert their new customers and are folded one by one:
       * after its first fold it holds the rollups' lock, and a purchase that had just inserted a
       * customer a later slice names would wait for that lock while the slice waits for it, a
       * deadlock. Readers are not held up.
       */
      lockCustomersForWriting: sql`LOCK TABLE customers IN SHARE ROW EXCLUSIVE MODE`.pipe(
        Effect.asVoid,
        Effect.orDie,
        Effect.withSpan("ImportRepo.lockCustomersForWriting")
      ),

      /** Creates a branch named after each new code of the staged purchases with `after < seq <= upTo`. */
      insertStagedBranches: (after: number, upTo: number) =>
        insertBranches({ after, upTo }).pipe(
          Effect.map(({ added }) => added),
          Effect.orDie,
          Effect.withSpan("ImportRepo.insertStagedBranches")
        ),

      /** Inserts the new customers of the staged purchases with `after < seq <= upTo`; returns how many. */
      insertStagedCustomers: (after: number, upTo: number) =>
        insertCustomers({ after, upTo }).pipe(
          Effect.map(({ added }) => added),
          Effect.orDie,
          Effect.withSpan("ImportRepo.insertStagedCustomers")
        ),

      /**
       * Inserts the staged purchases' new customers, first seen at their earliest purchase, and
       * locks those already there.
       */
      upsertStagedCustomers: upsertCustomers(undefined).pipe(
        Effect.orDie,
        Effect.withSpan("ImportRepo.upsertStagedCustomers")
      ),

      /**
       * Inserts the staged purchases with `after < seq <= upTo` that are not present yet (by
       * import_key), with their items; returns how many. Their branches must exist. With
       * `referencesChecked` (see `mayCheckReferencesItself`), the statement runs as a replica's
       * would: no foreign key is checked row by row, and no trigger fires. The caller then answers
       * for the references (branches and products locked by `lockReferences`, customers upserted
       * by `upsertStagedCustomers`) and for the rollups (`foldImported`) before it commits.
       * Otherwise the customers must exist too, and the rollups' triggers fold each slice.
       */
      insertStagedPurchases: (after: number, upTo: number, referencesChecked: boolean) => {
        const slice = insertPurchaseSlice({ after, upTo, keepToFold: referencesChecked })
        return (referencesChecked ? asReplica(slice) : slice).pipe(
          Effect.map(({ added }) => added),
          Effect.orDie,
          Effect.withSpan("ImportRepo.insertStagedPurchases", {
            attributes: { "icash.after": after, "icash.up_to": upTo, "icash.references_checked": referencesChecked }
          })
        )
      },

      /**
       * Folds every purchase written by `insertStagedPurchases` with `referencesChecked` into the
       * rollups, by the statements of their triggers; locks them until the transaction ends (live
       * purchases wait to be folded after it). To run once, after the customers' upsert: the rollups
       * are locked after the customers, as a live purchase's statement locks them.
       */
      foldImported: sql`SELECT icash_fold_imported()`.pipe(
        Effect.asVoid,
        Effect.orDie,
        Effect.withSpan("ImportRepo.foldImported")
      )
    } as const
  })
}) {}
