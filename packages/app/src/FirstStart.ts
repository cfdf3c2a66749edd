import { SqlClient } from "@effect/sql"
import { ensureLocalAdminKey, KeyAdmin } from "@icash/auth"
import { DEFAULT_FILES, formatSummary, seed } from "@icash/seed"
import { Console, Effect, Layer } from "effect"

/** On the first start (no products yet), loads the chain's shipped history from `data/`. */
export const FirstStartSeedLive = Layer.effectDiscard(
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql<{ readonly products: number }>`SELECT count(*)::int AS products FROM products`
    if ((row?.products ?? 0) > 0) return
    yield* Console.log(`First start: loading ${DEFAULT_FILES.products} and ${DEFAULT_FILES.purchases}...`)
    const summary = yield* seed(DEFAULT_FILES)
    yield* Console.log(formatSummary(summary))
  })
)

/** The admin key of this local mode, made on the first start and kept in the data directory (see the banner). */
export const LocalAdminKeyLive = Layer.effectDiscard(ensureLocalAdminKey).pipe(Layer.provide(KeyAdmin.Default))
