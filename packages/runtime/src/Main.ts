import { NodeRuntime } from "@effect/platform-node"
import { Layer } from "effect"
import { DotEnvLive } from "./Environment.js"
import { LoggingLive } from "./Logging.js"

/** Runs a program layer until Ctrl-C / SIGTERM, with `.env` config and structured logs. */
export const runMain = <E>(program: Layer.Layer<never, E>) =>
  program.pipe(
    Layer.provide(LoggingLive),
    Layer.provide(DotEnvLive),
    Layer.launch,
    NodeRuntime.runMain({ disablePrettyLogger: true })
  )
