import { NodeRuntime } from "@effect/platform-node"
import { Cause, Config, Console, Effect, Layer } from "effect"
import * as v8 from "node:v8"
import { DotEnvLive } from "./Environment.js"
import { LoggingLive } from "./Logging.js"
import { describeFailure } from "./StartupFailure.js"
import { TelemetryLive } from "./Telemetry.js"

/**
 * What every process of ours runs with: configuration from the environment and `.env`, JSON logs
 * (stdout and files) and, when the OTEL_* variables ask for it, traces and metrics over OTLP.
 * `service` names the process in logs and traces unless OTEL_SERVICE_NAME says otherwise.
 */
export const ProcessLive = (service: string) =>
  TelemetryLive(service).pipe(Layer.provideMerge(LoggingLive(service)), Layer.provide(DotEnvLive))

/**
 * Tells the operator why the process stops, in plain words on stderr (runMain then sets the exit
 * code): `explain` words the failures a program knows, the rest get a general description.
 */
const reportFailure = (explain: (error: unknown) => string | undefined) => <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.tapErrorCause(self, (cause) =>
    Cause.isInterruptedOnly(cause)
      ? Effect.void
      : Console.error(explain(Cause.squash(cause)) ?? `iCash stopped: ${describeFailure(cause)}`))

const explainNothing = () => undefined

/**
 * How much V8 lets its old generation grow past what survived the last full collection before it
 * collects again (HEAP_GROWING_PERCENT, default 40; 0 leaves it to V8, which lets it grow up to 4
 * times). Under load a purchase's garbage is partly promoted, and V8's own factor took a service
 * from 100 MB idle to 230-390 MB; at 40 it stays under 150 MB with no CPU cost we could measure
 * (docs/PERFORMANCE.md, "Memory"). V8 reads the flag at run time: setting it before the server
 * starts is enough.
 */
const HeapGrowthLive = Layer.effectDiscard(
  Effect.flatMap(
    Config.integer("HEAP_GROWING_PERCENT").pipe(Config.withDefault(40)),
    (percent) => Effect.sync(() => v8.setFlagsFromString(`--heap-growing-percent=${percent}`))
  )
)

/** Runs a server layer until Ctrl-C / SIGTERM, then closes everything (and flushes telemetry). */
export const runMain = (service: string) => <E>(program: Layer.Layer<never, E>) =>
  program.pipe(
    Layer.provide(HeapGrowthLive),
    Layer.provide(ProcessLive(service)),
    Layer.launch,
    reportFailure(explainNothing),
    NodeRuntime.runMain({ disableErrorReporting: true, disablePrettyLogger: true })
  )

/** Runs a one-shot program (migrate, seed) to its end; a failure sets a non-zero exit code. */
export const runProgram =
  (service: string, explain: (error: unknown) => string | undefined = explainNothing) =>
  <A, E>(program: Effect.Effect<A, E>) =>
    program.pipe(
      Effect.provide(ProcessLive(service)),
      reportFailure(explain),
      NodeRuntime.runMain({ disableErrorReporting: true, disablePrettyLogger: true })
    )
