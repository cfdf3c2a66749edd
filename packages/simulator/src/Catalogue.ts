import type { Branch, ProductId } from "@icash/domain"
import { Data, Effect, Option } from "effect"
import type { CashRegisterClient } from "./Client.js"
import { failureReason } from "./Failures.js"

/** Why the simulator cannot start, in words for whoever ran it. */
export class SimulatorError extends Data.TaggedError("SimulatorError")<{ readonly message: string }> {}

export interface Catalogue {
  /** The branches to ring at, in the order of their codes. */
  readonly branches: ReadonlyArray<Branch>
  readonly productIds: ReadonlyArray<ProductId>
}

/** The branches among `all` that `codes` name (every branch for None); fails naming the codes no branch has. */
export const selectBranches = (
  all: ReadonlyArray<Branch>,
  codes: Option.Option<ReadonlyArray<string>>
): Effect.Effect<ReadonlyArray<Branch>, SimulatorError> => {
  const sorted = [...all].sort((a, b) => a.code.localeCompare(b.code))
  if (Option.isNone(codes)) return Effect.succeed(sorted)
  const unknown = codes.value.filter((code) => !sorted.some((branch) => branch.code === code))
  return unknown.length === 0
    ? Effect.succeed(sorted.filter((branch) => codes.value.includes(branch.code)))
    : Effect.fail(
      new SimulatorError({
        message: `no branch has the code ${unknown.join(", ")}; the branches are ${
          sorted.map((branch) => branch.code).join(", ") || "none"
        }`
      })
    )
}

/** What `GET /branches` and `GET /products` list, for the branches the options name. */
export const loadCatalogue = (client: CashRegisterClient, url: string, codes: Option.Option<ReadonlyArray<string>>) =>
  Effect.gen(function*() {
    const [branches, products] = yield* Effect.all([client.catalog.listBranches(), client.catalog.listProducts()], {
      concurrency: 2
    }).pipe(
      Effect.mapError((error) =>
        new SimulatorError({
          message: `cannot read the catalogue of the Cash Register at ${url} (${failureReason(error)}); ` +
            "is it running? (npm start, or --url)"
        })
      )
    )
    if (products.length === 0) {
      return yield* new SimulatorError({ message: `the Cash Register at ${url} has no products to sell` })
    }
    const selected = yield* selectBranches(branches, codes)
    if (selected.length === 0) {
      return yield* new SimulatorError({ message: `the Cash Register at ${url} has no branches` })
    }
    return { branches: selected, productIds: products.map((product) => product.id) } satisfies Catalogue
  })
