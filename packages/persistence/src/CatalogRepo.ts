import { SqlClient, SqlSchema } from "@effect/sql"
import { Branch, MoneyFromDecimalString, Product, ProductId } from "@icash/domain"
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

    const products = SqlSchema.findAll({
      Request: Schema.Void,
      Result: ProductRow,
      execute: () => sql`SELECT id, product_name, unit_price::text FROM products ORDER BY id`
    })

    return {
      listBranches: () => branches().pipe(Effect.orDie, Effect.withSpan("CatalogRepo.listBranches")),
      listProducts: () =>
        products().pipe(
          Effect.map((rows) => rows.map((row) => new Product(row, true))),
          Effect.orDie,
          Effect.withSpan("CatalogRepo.listProducts")
        )
    } as const
  })
}) {}
