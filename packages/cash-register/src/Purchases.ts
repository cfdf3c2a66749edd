import type { SqlError } from "@effect/sql"
import {
  type CustomerId,
  customerId,
  IdempotencyKeyInFlight,
  IdempotencyKeyReused,
  type NewPurchase,
  type Purchase,
  type PurchaseId,
  PurchaseNotFound
} from "@icash/domain"
import { PurchasesRepo, type PurchaseToStore } from "@icash/persistence"
import { Deferred, Effect, Exit, FiberId, Option, type Tracer } from "effect"
import { createHash, randomUUID } from "node:crypto"
import { Catalog } from "./Catalog.js"
import { GroupCommit } from "./GroupCommit.js"
import { countPurchase } from "./Metrics.js"
import { problemWith } from "./PurchaseRules.js"

/** A constraint the database enforces was violated (SQLSTATE class 23). */
const isConstraintViolation = (error: SqlError.SqlError) => {
  const code = (error.cause as { readonly code?: unknown } | undefined)?.code
  return typeof code === "string" && code.startsWith("23")
}

/** Another service stored a purchase with the same Idempotency-Key while this one was storing its own. */
const isKeyTaken = (error: SqlError.SqlError) =>
  (error.cause as { readonly constraint?: unknown } | undefined)?.constraint === "idempotency_keys_pkey"

/** The request a key was used for, as the client sent it (before a new customer gets an id). */
const fingerprintOf = (input: NewPurchase) =>
  createHash("sha256")
    .update(JSON.stringify([
      input.branch_id,
      input.user_id ?? null,
      input.items.map((item) => item.product_id).sort((a, b) => a - b)
    ]))
    .digest("base64url")

/** A purchase as `create` answers it: stored now, or stored before under the same Idempotency-Key. */
export interface Recorded {
  readonly purchase: Purchase
  readonly replayed: boolean
}

const keyInFlight = "a request with this Idempotency-Key is being stored right now; retry in a second"

type CreateError = NonNullable<ReturnType<typeof problemWith>> | IdempotencyKeyReused | IdempotencyKeyInFlight

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
    const validate = (input: NewPurchase, span: Tracer.Span) =>
      Effect.flatMap(catalog.current, (snapshot) => {
        const problem = problemWith(input, snapshot)
        if (problem === undefined) return Effect.void
        return problem._tag === "DuplicateProducts" ? Effect.fail(problem) : Effect.withParentSpan(recheck(input), span)
      })

    const store = (
      input: NewPurchase,
      user_id: CustomerId,
      idempotency: PurchaseToStore["idempotency"],
      span: Tracer.Span
    ) =>
      groups.store({
        branch_id: input.branch_id,
        user_id,
        product_ids: input.items.map((item) => item.product_id),
        idempotency
      }, span).pipe(
        Effect.catchTag("SqlError", (error): Effect.Effect<never, CreateError> =>
          isKeyTaken(error)
            ? Effect.fail(new IdempotencyKeyInFlight({ message: keyInFlight }))
            : isConstraintViolation(error)
            // The catalogue changed between validation and storing: say what is now wrong, if anything.
            ? Effect.zipRight(Effect.withParentSpan(recheck(input), span), Effect.die(error))
            : Effect.die(error))
      )

    // The steps' spans are made with `useSpan`, which does not make a span the current one: making
    // it current copies the request's whole Context and FiberRefs, the largest allocations of a
    // purchase. Only the rare paths that start spans of their own (a catalogue reload) set their
    // parent explicitly.
    const createOnce = (input: NewPurchase, key: string | undefined) =>
      Effect.useSpan("Purchases.create", {
        captureStackTrace: false,
        attributes: {
          "icash.branch_id": input.branch_id,
          "icash.item_count": input.items.length,
          "icash.idempotency_key": key !== undefined
        }
      }, (parent) => createIn(parent, input, key))

    const createIn = (parent: Tracer.Span, input: NewPurchase, key: string | undefined) =>
      Effect.gen(function*() {
        const user_id: CustomerId = input.user_id ?? customerId(randomUUID())
        const idempotency = key === undefined ? undefined : { key, fingerprint: fingerprintOf(input) }
        yield* Effect.useSpan(
          "Purchases.validate",
          { parent, captureStackTrace: false },
          (span) => validate(input, span)
        )
        const stored = yield* Effect.useSpan(
          "Purchases.store",
          { parent, captureStackTrace: false },
          (span) => store(input, user_id, idempotency, span)
        )
        if (stored._tag === "Replayed") {
          if (stored.fingerprint !== idempotency?.fingerprint) {
            return yield* new IdempotencyKeyReused({
              message: "this Idempotency-Key was used for a different purchase: use a new key for a new purchase"
            })
          }
          return { purchase: stored.purchase, replayed: true }
        }
        yield* countPurchase(stored.purchase.branch_id, stored.purchase.total_amount)
        return { purchase: stored.purchase, replayed: false }
      })

    // Requests with the same key in this process run one after the other: the later ones find the
    // first's purchase stored and replay it.
    const inFlight = new Map<string, Deferred.Deferred<void>>()
    const create = (input: NewPurchase, key?: string): Effect.Effect<Recorded, CreateError> =>
      key === undefined ? createOnce(input, undefined) : Effect.suspend(() => {
        const running = inFlight.get(key)
        if (running !== undefined) return Effect.zipRight(Deferred.await(running), create(input, key))
        const done = Deferred.unsafeMake<void>(FiberId.none)
        inFlight.set(key, done)
        return createOnce(input, key).pipe(
          Effect.ensuring(Effect.sync(() => {
            inFlight.delete(key)
            Deferred.unsafeDone(done, Exit.void)
          }))
        )
      })

    const find = Effect.fn("Purchases.find")(function*(id: PurchaseId) {
      const purchase = yield* repo.findById(id)
      if (Option.isNone(purchase)) return yield* PurchaseNotFound.of(id)
      return purchase.value
    })

    return { create, find } as const
  }),
  dependencies: [Catalog.Default, GroupCommit.Default]
}) {}
