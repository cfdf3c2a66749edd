import { SqlError } from "@effect/sql"
import type { RawConnection } from "@icash/persistence"
import { Effect, Exit, Stream } from "effect"
import copyStreams from "pg-copy-streams"

type Client = Extract<RawConnection, { _tag: "Server" }>["client"]

/** A COPY FROM STDIN in progress on a node-postgres client, with the first error it met. */
interface CopyIn {
  readonly stream: copyStreams.CopyStreamQuery
  failure: unknown
  done: boolean
}

const copyFailed = (cause: unknown) => new SqlError.SqlError({ cause, message: "COPY FROM STDIN failed" })

const start = (client: Client, statement: string) =>
  Effect.sync((): CopyIn => {
    const copy: CopyIn = { stream: client.query(copyStreams.from(statement)), failure: undefined, done: false }
    // The server's error (a value it refuses, say) may come while nobody is waiting on the stream.
    copy.stream.on("error", (cause) => (copy.failure ??= cause))
    return copy
  })

/** Waits for `event`, or fails with the stream's error. */
const settle = (copy: CopyIn, event: "drain" | "finish", begin: () => void = () => {}) =>
  Effect.async<void, SqlError.SqlError>((resume) => {
    const onEvent = () => {
      stop()
      resume(Effect.void)
    }
    const onError = (cause: unknown) => {
      stop()
      resume(Effect.fail(copyFailed(cause)))
    }
    const stop = () => {
      copy.stream.off(event, onEvent)
      copy.stream.off("error", onError)
    }
    copy.stream.once(event, onEvent)
    copy.stream.once("error", onError)
    begin()
    return Effect.sync(stop)
  })

const write = (copy: CopyIn, text: string | Uint8Array) =>
  Effect.suspend(() => {
    if (copy.failure !== undefined) return Effect.fail(copyFailed(copy.failure))
    // false: the data is taken, but wait for the connection to drain it before sending more
    return copy.stream.write(text) ? Effect.void : settle(copy, "drain")
  })

/** CopyDone; done once the server has taken every row (and the connection is ready for the next query). */
const finish = (copy: CopyIn) =>
  Effect.suspend(() =>
    copy.failure !== undefined ? Effect.fail(copyFailed(copy.failure)) : settle(copy, "finish", () => copy.stream.end())
  ).pipe(Effect.map(() => {
    copy.done = true
    return copy.stream.rowCount
  }))

/**
 * CopyFail, when the rows stopped coming (a bad file, an interruption): the server ends the COPY
 * and the connection takes queries again (the transaction's ROLLBACK). After the server's own
 * error, there is nothing left to end.
 */
const abort = (copy: CopyIn) =>
  copy.done || copy.failure !== undefined
    ? Effect.void
    : Effect.async<void>((resume) => {
      copy.stream.once("close", () => resume(Effect.void))
      copy.stream.destroy(new Error("the import stopped"))
    })

/**
 * `COPY ... FROM STDIN` on a node-postgres client (pg-copy-streams), fed by a stream of text chunks
 * as it produces them, with backpressure: the rows never pile up in memory. Returns how many rows
 * the server took. On a failure of `text` or of the COPY, the COPY is ended and the connection
 * left usable.
 */
export const copyThroughStdin = <E, R>(
  client: Client,
  statement: string,
  text: Stream.Stream<string | Uint8Array, E, R>
) =>
  Effect.acquireUseRelease(
    start(client, statement),
    (copy) => Stream.runForEach(text, (chunk) => write(copy, chunk)).pipe(Effect.zipRight(finish(copy))),
    (copy, exit) => Exit.isSuccess(exit) ? Effect.void : abort(copy)
  )
