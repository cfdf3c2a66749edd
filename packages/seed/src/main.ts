import { DatabaseLive } from "@icash/persistence"
import { runProgram } from "@icash/runtime"
import { Console, Effect, Layer } from "effect"
import { parseArgs } from "./Args.js"
import { explainSeedFailure } from "./FailureReport.js"
import { seed, SeedLive } from "./Seed.js"
import { formatSummary } from "./Summary.js"

// Migrates first: the seed may be the first program to meet a fresh database.
const SeedWithDatabaseLive = SeedLive.pipe(Layer.provideMerge(DatabaseLive))

parseArgs(process.argv.slice(2)).pipe(
  Effect.flatMap((files) => seed(files).pipe(Effect.provide(SeedWithDatabaseLive))),
  Effect.tap((summary) => Console.log(formatSummary(summary))),
  runProgram("seed", explainSeedFailure)
)
