import { Config, Effect, Layer, Logger, LogLevel } from "effect"

/** Structured JSON logs, one object a line, at the level `LOG_LEVEL` names (default Info). */
export const LoggingLive = Layer.unwrapEffect(
  Effect.gen(function*() {
    const level = yield* Config.logLevel("LOG_LEVEL").pipe(Config.withDefault(LogLevel.Info))
    return Layer.merge(Logger.json, Logger.minimumLogLevel(level))
  })
)
