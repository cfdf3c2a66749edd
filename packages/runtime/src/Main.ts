import { NodeRuntime } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { DotEnvLive } from "./Environment.js"
import { LoggingLive } from "./Logging.js"
import { TelemetryLive } from "./Telemetry.js"

/**
 * What every process of ours runs with: configuration from the environment and `.env`, JSON logs
 * (stdout and files) and, when the OTEL_* variables ask for it, traces and metrics over OTLP.
 * `service` names the process in logs and traces unless OTEL_SERVICE_NAME says otherwise.
 */
export const ProcessLive = (service: string) =>
  TelemetryLive(service).pipe(Layer.provideMerge(LoggingLive(service)), Layer.provide(DotEnvLive))

/** Runs a server layer until Ctrl-C / SIGTERM, then closes everything (and flushes telemetry). */
export const runMain = (service: string) => <E>(program: Layer.Layer<never, E>) =>
  program.pipe(Layer.provide(ProcessLive(service)), Layer.launch, NodeRuntime.runMain({ disablePrettyLogger: true }))

/**
 * Runs a one-shot program (migrate, seed) to its end; a failure sets a non-zero exit code.
 * `report` tells people what went wrong, for failures they can fix.
 */
export const runProgram = (service: string, report: <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R> = (self) => self) =>
  <A, E>(program: Effect.Effect<A, E>) =>
    program.pipe(
      report,
      Effect.provide(ProcessLive(service)),
      NodeRuntime.runMain({ disableErrorReporting: true, disablePrettyLogger: true })
    )
