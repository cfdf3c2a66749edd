import { BadArguments } from "./Args.js"
import { formatInvalidFile, InvalidFile } from "./BadRows.js"
import { UnreadableFile } from "./SourceFile.js"

/** The text for a failure the person running the seed can fix; undefined for anything else. */
export const explainSeedFailure = (error: unknown): string | undefined =>
  error instanceof InvalidFile
    ? formatInvalidFile(error)
    : error instanceof UnreadableFile || error instanceof BadArguments
    ? error.message
    : undefined
