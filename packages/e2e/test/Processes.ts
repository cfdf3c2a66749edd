import { Command, HttpClient } from "@effect/platform"
import { type Duration, Effect, Schedule, Stream, String as Str } from "effect"
import { type ChildProcess, execFile, spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { createServer } from "node:net"
import * as path from "node:path"
import { entryPoints } from "../../../scripts/build.mjs"

export const repoRoot = path.resolve(import.meta.dirname, "../../..")

/**
 * What users and the image run: the program the build makes of one of our entry points
 * (`dist/<name>.js`), run by node itself so that signals reach it directly.
 */
export const programOf = (entry: string) => {
  const name = Object.keys(entryPoints).find((name) => entryPoints[name] === entry)
  if (name === undefined) throw new Error(`${entry} is not an entry point of scripts/build.mjs`)
  return path.join("dist", `${name}.js`)
}

let building: Promise<void> | undefined

/** Brings dist/ up to date once per test file, as the `pre` scripts of `npm start` and the others do. */
export const built = Effect.promise(() =>
  building ??= new Promise<void>((resolve, reject) =>
    execFile(
      process.execPath,
      ["scripts/build.mjs", "--quiet"],
      { cwd: repoRoot },
      (error, _stdout, stderr) => error === null ? resolve() : reject(new Error(`the build failed:\n${stderr}`))
    )
  )
)

/** A port nobody listens on right now. */
export const freePort = Effect.async<number>((resume) => {
  const server = createServer()
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    server.close(() => resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : 0)))
  })
})

/** Runs the program built from an entry point of ours to completion: its exit code and output. */
export const execScript = (entry: string, args: ReadonlyArray<string>, env: Record<string, string>) =>
  Effect.gen(function*() {
    yield* built
    const process = yield* Command.make(globalThis.process.execPath, programOf(entry), ...args).pipe(
      Command.workingDirectory(repoRoot),
      Command.env({ LOG_DIR: "", ...env }),
      Command.start
    )
    const [stdout, stderr, exitCode] = yield* Effect.all(
      [collect(process.stdout), collect(process.stderr), process.exitCode],
      { concurrency: "unbounded" }
    )
    return { exitCode, stdout, stderr }
  }).pipe(Effect.scoped)

/** Runs the program built from an entry point of ours to completion; fails with its output when it exits non-zero. */
export const runScript = (entry: string, args: ReadonlyArray<string>, env: Record<string, string>) =>
  Effect.flatMap(execScript(entry, args, env), ({ exitCode, stderr, stdout }) =>
    exitCode === 0
      ? Effect.succeed({ stdout, stderr })
      : Effect.dieMessage(`${entry} exited ${exitCode}:\n${stdout}\n${stderr}`))

const collect = (stream: Stream.Stream<Uint8Array, unknown>) =>
  stream.pipe(Stream.decodeText(), Stream.runFold("", Str.concat), Effect.orDie)

/** Waits until `GET <url>` answers 200. */
export const waitUntilReady = (url: string, within: Duration.DurationInput = "90 seconds") =>
  HttpClient.get(url).pipe(
    Effect.flatMap((response) => (response.status === 200 ? Effect.void : Effect.fail("not ready"))),
    // a request that reaches the server after it listens but before it serves gets no answer
    // (/ready itself gives the database 2 seconds)
    Effect.timeoutFail({ duration: "5 seconds", onTimeout: () => "no answer" }),
    Effect.retry(Schedule.spaced("200 millis").pipe(Schedule.upTo(within))),
    Effect.orDie
  )

/** Signals a process group; false when none of it is left. */
const signalGroup = (pid: number, signal: NodeJS.Signals | 0) => {
  try {
    process.kill(-pid, signal)
    return true
  } catch {
    return false
  }
}

/** A process of ours as a user starts it from a terminal, in a process group of its own. */
export interface UserProcess {
  readonly child: ChildProcess
  /** Everything it printed so far. */
  readonly output: () => string
  /** Sends a signal to the whole group, as Ctrl-C (SIGINT) or `kill -9` (SIGKILL) would, and waits until all of it has exited. */
  readonly stop: (signal: NodeJS.Signals) => Effect.Effect<void>
}

export const startUserProcess = (command: string, args: ReadonlyArray<string>, env: Record<string, string>) =>
  Effect.acquireRelease(
    Effect.sync((): UserProcess => {
      const child = spawn(command, args, {
        cwd: repoRoot,
        env: { ...process.env, ...env },
        detached: true,
        stdio: ["ignore", "pipe", "pipe"]
      })
      let output = ""
      child.stdout!.on("data", (chunk) => (output += chunk))
      child.stderr!.on("data", (chunk) => (output += chunk))
      const stop = (signal: NodeJS.Signals) =>
        Effect.promise(async () => {
          signalGroup(child.pid!, signal)
          // npm exits at once on a signal; what matters is that every process of the group is gone
          while (signalGroup(child.pid!, 0)) await new Promise((resolve) => setTimeout(resolve, 50))
        })
      return { child, output: () => output, stop }
    }),
    (running) => running.stop("SIGKILL")
  )

/**
 * Starts the service built from an entry point of ours as its own process for the scope's lifetime,
 * and waits until `/ready` answers 200.
 */
export const startService = (entry: string, port: number, env: Record<string, string>) =>
  Effect.gen(function*() {
    yield* built
    yield* startUserProcess(process.execPath, [programOf(entry)], { LOG_LEVEL: "Warn", LOG_DIR: "", ...env })
    const baseUrl = `http://127.0.0.1:${port}`
    yield* waitUntilReady(`${baseUrl}/ready`)
    return baseUrl
  })

/** `npm run keys -- create ...` on the database `env` names: the new key's secret (its last line of output). */
export const createKey = (env: Record<string, string>, ...args: ReadonlyArray<string>) =>
  Effect.map(
    runScript("packages/auth/src/main.ts", ["create", ...args], env),
    ({ stdout }) => stdout.trimEnd().split("\n").at(-1)!
  )

/** The admin key `npm start` made in its data directory. */
export const localAdminKey = (dataDir: string) =>
  Effect.sync(() => readFileSync(path.join(dataDir, "admin.key"), "utf8").trim())

/** The environment that points our processes at the embedded database in `dataDir`. */
export const embeddedDatabase = (dataDir: string) => ({
  // an empty DATABASE_URL means the embedded database, whatever the developer's shell says
  DATABASE_URL: "",
  DATA_DIR: dataDir
})

/** `npm start` with its two services on these ports, on the database `env` names (logs: stdout only, unless `env` says). */
export const startAll = (
  ports: { readonly cashRegister: number; readonly storeAnalytics: number },
  env: Record<string, string>
) =>
  Effect.gen(function*() {
    const running = yield* startUserProcess("npm", ["start"], {
      LOG_LEVEL: "Warn",
      LOG_DIR: "",
      ...env,
      CASH_REGISTER_PORT: String(ports.cashRegister),
      STORE_ANALYTICS_PORT: String(ports.storeAnalytics),
      // the dashboard it also serves: not the default 3000, which a developer's own `npm start` may hold
      WEB_PORT: String(yield* freePort)
    })
    const cashRegister = `http://127.0.0.1:${ports.cashRegister}`
    const storeAnalytics = `http://127.0.0.1:${ports.storeAnalytics}`
    yield* Effect.all([waitUntilReady(`${cashRegister}/ready`), waitUntilReady(`${storeAnalytics}/ready`)])
    return { running, cashRegister, storeAnalytics }
  })
