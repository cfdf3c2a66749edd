import { Command, HttpClient } from "@effect/platform"
import { Effect, Schedule, Stream, String as Str } from "effect"
import { createServer } from "node:net"
import * as path from "node:path"

export const repoRoot = path.resolve(import.meta.dirname, "../../..")
const tsx = path.join(repoRoot, "node_modules/.bin/tsx")

/** A port nobody listens on right now. */
export const freePort = Effect.async<number>((resume) => {
  const server = createServer()
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    server.close(() => resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : 0)))
  })
})

/** Runs a TypeScript entry point of ours to completion; fails with its output when it exits non-zero. */
export const runScript = (entry: string, args: ReadonlyArray<string>, env: Record<string, string>) =>
  Effect.gen(function*() {
    const process = yield* Command.make(tsx, entry, ...args).pipe(
      Command.workingDirectory(repoRoot),
      Command.env(env),
      Command.start
    )
    const [stdout, stderr, exitCode] = yield* Effect.all(
      [collect(process.stdout), collect(process.stderr), process.exitCode],
      { concurrency: "unbounded" }
    )
    if (exitCode !== 0) return yield* Effect.dieMessage(`${entry} exited ${exitCode}:\n${stdout}\n${stderr}`)
    return { stdout, stderr }
  }).pipe(Effect.scoped)

const collect = (stream: Stream.Stream<Uint8Array, unknown>) =>
  stream.pipe(Stream.decodeText(), Stream.runFold("", Str.concat), Effect.orDie)

/** Starts a service as its own process for the scope's lifetime, and waits until `/ready` answers 200. */
export const startService = (entry: string, port: number, env: Record<string, string>) =>
  Effect.gen(function*() {
    const process = yield* Command.make(tsx, entry).pipe(
      Command.workingDirectory(repoRoot),
      Command.env({ LOG_LEVEL: "Warn", ...env }),
      Command.start
    )
    yield* Effect.forkScoped(Stream.runDrain(process.stdout))
    yield* Effect.forkScoped(Stream.runDrain(process.stderr))
    const baseUrl = `http://127.0.0.1:${port}`
    yield* HttpClient.get(`${baseUrl}/ready`).pipe(
      Effect.flatMap((response) => (response.status === 200 ? Effect.void : Effect.fail("not ready"))),
      Effect.retry(Schedule.spaced("200 millis").pipe(Schedule.upTo("60 seconds"))),
      Effect.orDie
    )
    return baseUrl
  })
