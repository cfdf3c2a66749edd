import type { SqlError } from "@effect/sql"
import { type CustomerId, customerId, type NewPurchase, type PurchaseId, PurchaseNotFound } from "@icash/domain"
import { PurchasesRepo } from "@icash/persistence"
import { Effect, Option } from "effect"
import { randomUUID } from "node:crypto"
import { Catalog } from "./Catalog.js"
import { GroupCommit } from "./GroupCommit.js"
import { countPurchase } from "./Metrics.js"
import { problemWith } from "./PurchaseRules.js"

/** A constraint the database enforces was violated (SQLSTATE class 23). */
const isConstraintViolation = (error: SqlError.SqlError) => {
  const code = (error.cause as { readonly code?: unknown } | undefined)?.code
  return typeof code === "string" && code.startsWith("23")
}

/**
 * The purchase use case: validate against the catalogue in memory, then store with the group
 * being committed, priced by the database at the current prices. Every way of recording a
 * purchase goes through `create`.
 */
export class Purchases extends Effect.Service<Purchases>()("cash-register/Purchases", {
  effect: Effect.gen(function*() {
    const catalog = yield* Catalog
    const groups = yield* GroupCommit
    const repo = yield* PurchasesRepo

    /** Checks the purchase against a freshly loaded catalogue. */
    const recheck = (input: NewPurchase) =>
      Effect.flatMap(catalog.refresh, (fresh) => {
        const problem = problemWith(input, fresh)
        return problem === undefined ? Effect.void : Effect.fail(problem)
      })

    // An id the snapshot does not know may have just been added: look again before refusing.
    const validate = (input: NewPurchase) =>
      Effect.flatMap(catalog.current, (snapshot) => {
        const problem = problemWith(input, snapshot)
        if (problem === undefined) return Effect.void
        return problem._tag === "DuplicateProducts" ? Effect.fail(problem) : recheck(input)
      })

    const store = (input: NewPurchase, user_id: CustomerId) =>
      groups.store({ branch_id: input.branch_id, user_id, product_ids: input.items.map((item) => item.product_id) })
        .pipe(
          // The catalogue changed between validation and storing: say what is now wrong, if anything.
          Effect.catchIf(isConstraintViolation, (error) => Effect.zipRight(recheck(input), Effect.die(error))),
          Effect.catchTag("SqlError", Effect.die)
        )

    const create = (input: NewPurchase) =>
      Effect.gen(function*() {
        const user_id: CustomerId = input.user_id ?? customerId(randomUUID())
        yield* validate(input).pipe(Effect.withSpan("Purchases.validate", { captureStackTrace: false }))
        const purchase = yield* store(input, user_id).pipe(
          Effect.withSpan("Purchases.store", { captureStackTrace: false })
        )
        yield* countPurchase(purchase.branch_id, purchase.total_amount)
        return purchase
      }).pipe(
        Effect.withSpan("Purchases.create", {
          captureStackTrace: false,
          attributes: { "icash.branch_id": input.branch_id, "icash.item_count": input.items.length }
        })
      )

    const find = Effect.fn("Purchases.find")(function*(id: PurchaseId) {
      const purchase = yield* repo.findById(id)
      if (Option.isNone(purchase)) return yield* PurchaseNotFound.of(id)
      return purchase.value
    })

    return { create, find } as const
  }),
  dependencies: [Catalog.Default, GroupCommit.Default]
}) {}
