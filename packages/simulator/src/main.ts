import { FetchHttpClient } from "@effect/platform"
import { readLocalAdminKey } from "@icash/auth"
import { runProgram } from "@icash/runtime"
import { Config, Console, Effect, Option, Redacted } from "effect"
import { SimulatorError } from "./Catalogue.js"
import { BadArguments, parseOptions, USAGE } from "./Options.js"
import { simulate } from "./Simulation.js"
import { statusModeFor } from "./Status.js"

const explain = (error: unknown) =>
  error instanceof BadArguments
    ? `${error.message}\n\n${USAGE}`
    : error instanceof SimulatorError
    ? `simulator: ${error.message}`
    : undefined

// `npm run simulate -- [options]`: exits 0 at its limit or on Ctrl-C, after the summary.
Effect.gen(function*() {
  const options = yield* parseOptions(process.argv.slice(2))
  if (options === "help") return yield* Console.log(USAGE)
  // no --key: ICASH_API_KEY, else the admin key of this machine's npm start
  const fromEnvironment = yield* Config.option(Config.redacted("ICASH_API_KEY"))
  const local = Option.map(yield* readLocalAdminKey, Redacted.make)
  const key = Option.firstSomeOf([options.key, fromEnvironment, local])
  yield* simulate({ ...options, key }, statusModeFor(process.stdout))
}).pipe(Effect.provide(FetchHttpClient.layer), runProgram("simulator", explain))
