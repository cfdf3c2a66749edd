import { rawConnection } from "@icash/persistence"
import { Effect, type Stream } from "effect"
import { copyThroughBlobs } from "./CopyBlobs.js"
import { copyThroughStdin } from "./CopyStdin.js"
import { ImportBatches } from "./ImportBatches.js"

/**
 * COPY rows of PostgreSQL's text format (whole lines per chunk of `text`) within the current
 * transaction, on either engine: `statement(source)` is the COPY statement reading from `source`
 * (STDIN on a server, PGlite's `'/dev/blob'` embedded). Returns how many rows were loaded.
 */
export const copyIn = <E, R>(statement: (source: string) => string, text: Stream.Stream<string | Uint8Array, E, R>) =>
  Effect.gen(function*() {
    const connection = yield* rawConnection
    if (connection._tag === "Server") return yield* copyThroughStdin(connection.client, statement("STDIN"), text)
    const { bytesPerBlob } = yield* ImportBatches
    return yield* copyThroughBlobs(connection.pglite, statement("'/dev/blob'"), text, bytesPerBlob)
  })
