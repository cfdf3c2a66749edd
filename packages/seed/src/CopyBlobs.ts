import { SqlError } from "@effect/sql"
import type { RawConnection } from "@icash/persistence"
import { Effect, Stream } from "effect"

/**
 * `COPY ... FROM '/dev/blob'` on PGlite, which has no COPY FROM STDIN: the text is gathered into
 * blobs of about `bytesPerBlob`, each loaded by one COPY statement as soon as it is full, so memory
 * holds one blob at a time. `statement` names `'/dev/blob'` as its source. Returns how many rows
 * were loaded. Run inside the import's transaction, which holds PGlite's one session: the
 * statements are part of it.
 */
export const copyThroughBlobs = <E, R>(
  pglite: Extract<RawConnection, { _tag: "Embedded" }>["pglite"],
  statement: string,
  text: Stream.Stream<string | Uint8Array, E, R>,
  bytesPerBlob: number
) =>
  Effect.suspend(() => {
    let parts: Array<string | Uint8Array> = []
    let bytes = 0
    let rows = 0
    const load = Effect.suspend(() => {
      const blob = new Blob(parts)
      parts = []
      bytes = 0
      return Effect.tryPromise({
        try: () => pglite.query(statement, [], { blob }),
        catch: (cause) => new SqlError.SqlError({ cause, message: "COPY FROM '/dev/blob' failed" })
      })
    }).pipe(Effect.map((result) => {
      rows += result.affectedRows ?? 0
    }))
    return Stream.runForEach(text, (chunk) => {
      parts.push(chunk)
      bytes += chunk.length
      return bytes >= bytesPerBlob ? load : Effect.void
    }).pipe(
      Effect.zipRight(Effect.suspend(() => (bytes > 0 ? load : Effect.void))),
      Effect.map(() => rows)
    )
  })
