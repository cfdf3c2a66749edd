import { SqlClient } from "@effect/sql"
import { Duration, Effect, Layer, Schedule } from "effect"

/**
 * The rollups' few hot rows (the chain's totals, the customers per purchase count, the sales per
 * product) are rewritten by every group of purchases, and each rewrite leaves a dead row behind.
 * Unvacuumed, a one-row table grew to 290 pages in two minutes at 200 purchases/s, and every
 * analytics answer read all of them. PostgreSQL's autovacuum would clean them, but it may be off or
 * slow to come round to small tables, so the service that writes them vacuums them itself, every
 * few seconds: a few milliseconds each time.
 */
export const RollupUpkeepLive = Layer.scopedDiscard(
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const vacuum = Effect.suspend(() =>
      sql`VACUUM (SKIP_LOCKED) chain_totals, customers_by_purchase_count, product_sales`
    ).pipe(
      Effect.catchAllCause((cause) => Effect.logDebug("could not vacuum the rollups", cause)),
      Effect.withSpan("RollupUpkeep.vacuum")
    )
    yield* Effect.forkScoped(Effect.repeat(vacuum, Schedule.spaced(Duration.seconds(5))))
  })
)
