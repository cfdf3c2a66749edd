import { Console, Effect } from "effect"
import { BadArguments } from "./Args.js"
import { formatInvalidFile, InvalidFile } from "./BadRows.js"
import { UnreadableFile } from "./SourceFile.js"

/** The text for a failure the person running the seed can fix; undefined for anything else. */
export const explainFailure = (error: unknown): string | undefined =>
  error instanceof InvalidFile
    ? formatInvalidFile(error)
    : error instanceof UnreadableFile || error instanceof BadArguments
    ? error.message
    : undefined

/** Fixable failures go to stderr as plain text, the rest (database down, a bug) to the log. */
export const reportFailure = <A, E, R>(program: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  program.pipe(
    Effect.tapError((error) => {
      const explanation = explainFailure(error)
      return explanation === undefined ? Effect.logError("seed failed", error) : Console.error(explanation)
    }),
    Effect.tapDefect((cause) => Effect.logError("seed crashed", cause))
  )
