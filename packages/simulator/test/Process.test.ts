import { expect, layer } from "@effect/vitest"
import { Effect, Schedule } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import * as path from "node:path"
import { AdminKey, cashRegisterOn, countPurchases, preferredEngine, serverUrl } from "./CashRegisterServer.js"

const repoRoot = path.resolve(import.meta.dirname, "../../..")

interface Running {
  readonly child: ChildProcess
  readonly output: () => { readonly stdout: string; readonly stderr: string }
  readonly exited: Effect.Effect<number | null>
}

/**
 * `npm run simulate -- <args>` as its TypeScript source (run by tsx), killed if the test leaves it
 * running; its key in ICASH_API_KEY, as an operator may set it.
 */
const startSimulator = (args: ReadonlyArray<string>, key: string) =>
  Effect.acquireRelease(
    Effect.sync((): Running => {
      const child = spawn(process.execPath, ["--import", "tsx", "packages/simulator/src/main.ts", ...args], {
        cwd: repoRoot,
        env: { ...process.env, LOG_DIR: "", ICASH_API_KEY: key },
        stdio: ["ignore", "pipe", "pipe"]
      })
      let stdout = ""
      let stderr = ""
      child.stdout!.on("data", (chunk) => (stdout += chunk))
      child.stderr!.on("data", (chunk) => (stderr += chunk))
      const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
      return { child, output: () => ({ stdout, stderr }), exited: Effect.promise(() => exit) }
    }),
    ({ child }) => Effect.sync(() => child.exitCode === null && child.kill("SIGKILL"))
  )

const totalStored = Effect.map(countPurchases, (rows) => rows.reduce((sum, row) => sum + row.n, 0))

const engine = await preferredEngine()

layer(cashRegisterOn(engine), { excludeTestServices: true, timeout: "60 seconds" })(
  `npm run simulate, as a process, against the Cash Register on ${engine.name}`,
  (it) => {
    it.effect("stops cleanly on Ctrl-C: finishes the purchases under way, prints the summary and exits 0", () =>
      Effect.gen(function*() {
        const before = yield* totalStored
        const simulator = yield* startSimulator(
          ["--url", yield* serverUrl, "--rate", "40", "--seed", "3"],
          yield* AdminKey
        )
        // wait until it is ringing up purchases (or fail at once, should it stop by itself)
        yield* Effect.raceFirst(
          totalStored.pipe(Effect.repeat({ schedule: Schedule.spaced("50 millis"), until: (n) => n >= before + 10 })),
          Effect.flatMap(
            simulator.exited,
            (code) => Effect.dieMessage(`the simulator exited ${code}:\n${JSON.stringify(simulator.output())}`)
          )
        )

        simulator.child.kill("SIGINT")
        expect(yield* simulator.exited).toBe(0)
        const { stdout } = simulator.output()
        expect(stdout).toContain("Simulator done (stopped by Ctrl-C)")
        expect(stdout).toMatch(/\n {2}failed +0\n/)
        // every purchase it had sent was finished and counted: what it says it stored is what is stored
        const acknowledged = Number(/\n {2}acknowledged +(\d+)\n/.exec(stdout)?.[1])
        expect(acknowledged).toBeGreaterThanOrEqual(10)
        expect(yield* totalStored).toBe(before + acknowledged)
        expect(stdout).toMatch(/\n {2}sent +(\d+) purchases/)
        expect(/\n {2}sent +(\d+) purchases/.exec(stdout)?.[1]).toBe(String(acknowledged))
      }).pipe(Effect.scoped))

    it.effect("refuses arguments it cannot use, with the usage, and exits 1", () =>
      Effect.gen(function*() {
        const simulator = yield* startSimulator(["--rate", "0"], "unused")
        expect(yield* simulator.exited).toBe(1)
        const { stderr, stdout } = simulator.output()
        expect(stderr).toContain("--rate takes a number of purchases per second above 0")
        expect(stderr).toContain("Usage: npm run simulate")
        expect(stdout).toBe("")
      }).pipe(Effect.scoped))
  }
)
