import { SqlClient, SqlSchema } from "@effect/sql"
import { Branch, BranchId, MoneyFromDecimalString, Product, ProductId } from "@icash/domain"
import { Effect, Schema } from "effect"

const ProductRow = Schema.Struct({
  id: ProductId,
  product_name: Schema.String,
  unit_price: MoneyFromDecimalString
})

/** Branches and products: the catalogue the cash registers sell from. */
export class CatalogRepo extends Effect.Service<CatalogRepo>()("persistence/CatalogRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    const branches = SqlSchema.findAll({
      Request: Schema.Void,
      Result: Branch,
      execute: () => sql`SELECT id, code, name FROM branches ORDER BY id`
    })

    const branchById = SqlSchema.findOne({
      Request: BranchId,
      Result: Branch,
      execute: (id) => sql`SELECT id, code, name FROM branches WHERE id = ${id}`
    })

    const products = SqlSchema.findAll({
      Request: Schema.Void,
      Result: ProductRow,
      execute: () => sql`SELECT id, product_name, unit_price::text FROM products ORDER BY id`
    })

    const productsByIds = SqlSchema.findAll({
      Request: Schema.Array(ProductId),
      Result: ProductRow,
      execute: (ids) =>
        sql`SELECT id, product_name, unit_price::text FROM products WHERE ${sql.in("id", ids)} ORDER BY id`
    })

    return {
      listBranches: () => branches().pipe(Effect.orDie, Effect.withSpan("CatalogRepo.listBranches")),
      findBranch: (id: BranchId) => branchById(id).pipe(Effect.orDie, Effect.withSpan("CatalogRepo.findBranch")),
      listProducts: () =>
        products().pipe(
          Effect.map((rows) => rows.map((row) => new Product(row))),
          Effect.orDie,
          Effect.withSpan("CatalogRepo.listProducts")
        ),
      /** The products among `ids` that exist; unknown ids are simply absent. */
      findProducts: (ids: ReadonlyArray<ProductId>) =>
        productsByIds(ids).pipe(
          Effect.map((rows) => rows.map((row) => new Product(row))),
          Effect.orDie,
          Effect.withSpan("CatalogRepo.findProducts", { attributes: { "icash.product_count": ids.length } })
        )
    } as const
  })
}) {}
