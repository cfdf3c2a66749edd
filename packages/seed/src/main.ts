import { DatabaseLive } from "@icash/persistence"
import { runProgram } from "@icash/runtime"
import { Console, Effect, Layer } from "effect"
import { parseArgs } from "./Args.js"
import { explainSeedFailure } from "./FailureReport.js"
import { ImportProgress, logProgress } from "./Progress.js"
import { progressBar } from "./ProgressBar.js"
import { seed, SeedLive } from "./Seed.js"
import { formatSummary } from "./Summary.js"

// Migrates first: the seed may be the first program to meet a fresh database.
const SeedWithDatabaseLive = SeedLive.pipe(Layer.provideMerge(DatabaseLive))

// A bar on a terminal; log lines every few seconds otherwise (a pipe, a file, a container's log).
const ProgressLive = Layer.sync(
  ImportProgress,
  () => process.stdout.isTTY ? progressBar(process.stdout) : logProgress("5 seconds")
)

parseArgs(process.argv.slice(2)).pipe(
  Effect.flatMap((files) => seed(files).pipe(Effect.provide([SeedWithDatabaseLive, ProgressLive]))),
  Effect.tap((summary) => Console.log(formatSummary(summary))),
  runProgram("seed", explainSeedFailure)
)
