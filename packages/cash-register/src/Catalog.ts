import type { Branch, BranchId, Product, ProductId } from "@icash/domain"
import { CATALOG_CHANNEL, CatalogRepo, Notifications } from "@icash/persistence"
import { Effect, Ref, Stream } from "effect"

/** The branches and products as one consistent picture, indexed for validation. */
export interface CatalogSnapshot {
  readonly branches: ReadonlyArray<Branch>
  readonly products: ReadonlyArray<Product>
  readonly branchById: ReadonlyMap<BranchId, Branch>
  readonly productById: ReadonlyMap<ProductId, Product>
}

const snapshot = (branches: ReadonlyArray<Branch>, products: ReadonlyArray<Product>): CatalogSnapshot => ({
  branches,
  products,
  branchById: new Map(branches.map((branch) => [branch.id, branch])),
  productById: new Map(products.map((product) => [product.id, product]))
})

/**
 * The catalogue in memory, so that a purchase needs no lookup query. It reloads itself when the
 * database announces a change to branches or products (and after reconnecting, when one may
 * have been missed). `refresh` reloads on demand, for an id the snapshot does not know yet.
 */
export class Catalog extends Effect.Service<Catalog>()("cash-register/Catalog", {
  scoped: Effect.gen(function*() {
    const repo = yield* CatalogRepo
    const notifications = yield* Notifications

    const load = Effect.zipWith(repo.listBranches(), repo.listProducts(), snapshot).pipe(
      Effect.withSpan("Catalog.load")
    )
    // Loads run one at a time and are numbered as they start; the current snapshot keeps its number.
    let loadsStarted = 1
    const current = yield* Ref.make({ loaded: yield* load, number: 1 })
    const loading = yield* Effect.makeSemaphore(1)

    /**
     * A snapshot whose load started after this call: a change committed before it is included.
     * Callers asking while a load runs share the next one.
     */
    const refresh = Effect.suspend(() => {
      const asked = loadsStarted
      return loading.withPermits(1)(
        Effect.flatMap(Ref.get(current), (now) => {
          if (now.number > asked) return Effect.succeed(now.loaded)
          const number = ++loadsStarted
          return Effect.tap(load, (loaded) => Ref.set(current, { loaded, number }))
        })
      )
    })

    yield* notifications.listen(CATALOG_CHANNEL).pipe(
      Stream.runForEach(() =>
        refresh.pipe(Effect.catchAllCause((cause) => Effect.logWarning("could not reload the catalogue", cause)))
      ),
      Effect.forkScoped
    )

    return {
      current: Effect.map(Ref.get(current), (now) => now.loaded),
      refresh
    } as const
  })
}) {}
