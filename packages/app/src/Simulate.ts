import { FetchHttpClient } from "@effect/platform"
import { readLocalAdminKey } from "@icash/auth"
import { CashRegisterPort } from "@icash/cash-register"
import { localServiceUrl, portConfig } from "@icash/runtime"
import { BadArguments, DEFAULT_OPTIONS, simulate } from "@icash/simulator"
import { Console, Duration, Effect, Either, Layer, Option, Redacted } from "effect"

/** `--simulate [RATE]` (or `--simulate=RATE`) on `npm start`'s command line: the purchases per second, if asked for. */
export const simulateRate = (argv: ReadonlyArray<string>): Either.Either<Option.Option<number>, BadArguments> => {
  const at = argv.findIndex((arg) => arg === "--simulate" || arg.startsWith("--simulate="))
  if (at === -1) return Either.right(Option.none())
  const inline = argv[at]!.startsWith("--simulate=") ? argv[at]!.slice("--simulate=".length) : undefined
  const next = argv[at + 1]
  const text = inline ?? (next !== undefined && !next.startsWith("--") ? next : undefined)
  if (text === undefined) return Either.right(Option.some(DEFAULT_OPTIONS.rate))
  const rate = Number(text)
  return text.trim() !== "" && Number.isFinite(rate) && rate > 0
    ? Either.right(Option.some(rate))
    : Either.left(
      new BadArguments({ message: `--simulate takes purchases per second, e.g. --simulate 5, not "${text}"` })
    )
}

/**
 * `npm start -- --simulate [RATE]`: for demos, once the servers are up, the tills of every branch
 * ring up about RATE purchases a second (default 5) on this process's Cash Register, with a line
 * of figures every 10 seconds, until Ctrl-C, which prints their summary. Nothing without the flag.
 */
export const DemoSimulatorLive = (argv: ReadonlyArray<string>) =>
  Layer.scopedDiscard(
    Effect.gen(function*() {
      const rate = yield* simulateRate(argv)
      if (Option.isNone(rate)) return
      const url = yield* localServiceUrl(portConfig(CashRegisterPort))
      const key = Option.map(yield* readLocalAdminKey, Redacted.make)
      yield* simulate({ ...DEFAULT_OPTIONS, url, key, rate: rate.value }, {
        _tag: "lines",
        every: Duration.seconds(10)
      })
        .pipe(
          Effect.provide(FetchHttpClient.layer),
          // the demo stops; the system goes on serving
          Effect.catchAll((error) => Console.error(`simulator: ${error.message}`)),
          Effect.forkScoped
        )
    })
  )

/** Starts the demo simulator (when asked for) after `banner`, so that the banner comes first. */
export const thenDemoSimulator = (argv: ReadonlyArray<string>) => <E, R>(banner: Layer.Layer<never, E, R>) =>
  DemoSimulatorLive(argv).pipe(Layer.provide(banner))
