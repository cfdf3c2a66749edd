import { Data, Duration, Either, Option, Redacted } from "effect"
import { parseArgs } from "node:util"

/** When the simulator stops by itself; it always stops on Ctrl-C. */
export type Limit =
  | { readonly _tag: "Count"; readonly count: number }
  | { readonly _tag: "Duration"; readonly duration: Duration.Duration }
  | { readonly _tag: "Unlimited" }

export interface SimulatorOptions {
  /** The Cash Register's base URL. */
  readonly url: string
  /** Purchases per second across every register. */
  readonly rate: number
  readonly limit: Limit
  /** Branch codes to ring at; None for every branch. */
  readonly branches: Option.Option<ReadonlyArray<string>>
  readonly registersPerBranch: number
  readonly maxItems: number
  /** Seed of the baskets; None picks one at random (and the summary prints it). */
  readonly seed: Option.Option<number>
  /** Sent as `Authorization: Bearer <key>`. */
  readonly key: Option.Option<Redacted.Redacted>
}

export const DEFAULT_OPTIONS: SimulatorOptions = {
  url: "http://localhost:8000",
  rate: 5,
  limit: { _tag: "Unlimited" },
  branches: Option.none(),
  registersPerBranch: 3,
  maxItems: 5,
  seed: Option.none(),
  key: Option.none()
}

export const USAGE = `Usage: npm run simulate -- [options]

Rings up purchases on the Cash Register as the chain's tills do: several registers per branch at
once, baskets of popular products, returning and new customers. Ctrl-C stops it: purchases under
way are finished, then it prints a summary.

  --rate N          purchases per second, all registers together (default 5)
  --duration D      stop after D, e.g. 90s, 5m, 1h, 500ms (default: until Ctrl-C)
  --count N         stop after exactly N acknowledged purchases
  --branches CODES  branch codes, comma-separated, e.g. SMKT001,SMKT002 (default: every branch)
  --registers N     registers per branch (default 3)
  --max-items N     most products in one basket (default 5)
  --seed N          the same seed rings up the same baskets (default: a random one, printed at the end)
  --key KEY         the API key (admin, or register when one branch is simulated), sent as "Authorization:
                    Bearer KEY"; default ICASH_API_KEY, else the admin key npm start keeps in DATA_DIR
  --url URL         the Cash Register (default http://localhost:8000)
  --help            this text`

export class BadArguments extends Data.TaggedError("BadArguments")<{ readonly message: string }> {}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** `90s`, `5m`, `1h`, `500ms`, or a number of seconds. */
export const parseDuration = (text: string): Option.Option<Duration.Duration> => {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim())
  if (match === null) return Option.none()
  const millis = Number(match[1]) * UNITS[match[2] ?? "s"]!
  return millis > 0 ? Option.some(Duration.millis(millis)) : Option.none()
}

const wholeNumber = (name: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER) => {
  const value = Number(text)
  return text.trim() !== "" && Number.isInteger(value) && value >= min && value <= max
    ? Either.right(value)
    : Either.left(new BadArguments({ message: `--${name} takes a whole number from ${min} to ${max}, not "${text}"` }))
}

const optional = <A>(
  text: string | undefined,
  parse: (text: string) => Either.Either<A, BadArguments>
): Either.Either<Option.Option<A>, BadArguments> =>
  text === undefined ? Either.right(Option.none()) : Either.map(parse(text), Option.some)

const parseRate = (text: string) => {
  const value = Number(text)
  return text.trim() !== "" && Number.isFinite(value) && value > 0 && value <= 100_000
    ? Either.right(value)
    : Either.left(new BadArguments({ message: `--rate takes a number of purchases per second above 0, not "${text}"` }))
}

const parseUrl = (text: string) => {
  try {
    const url = new URL(text)
    if (url.protocol === "http:" || url.protocol === "https:") return Either.right(text.replace(/\/+$/, ""))
  } catch {
    // told below
  }
  return Either.left(
    new BadArguments({ message: `--url takes an http(s) URL, e.g. http://localhost:8000, not "${text}"` })
  )
}

const parseBranches = (text: string) => {
  const codes = text.split(",").map((code) => code.trim().toUpperCase()).filter((code) => code !== "")
  return codes.length > 0
    ? Either.right<ReadonlyArray<string>>([...new Set(codes)])
    : Either.left(new BadArguments({ message: "--branches takes branch codes, e.g. SMKT001,SMKT002" }))
}

const parseLimit = (duration: string | undefined, count: string | undefined): Either.Either<Limit, BadArguments> => {
  if (duration !== undefined && count !== undefined) {
    return Either.left(new BadArguments({ message: "give --duration or --count, not both" }))
  }
  if (count !== undefined) return Either.map(wholeNumber("count", count, 1), (n) => ({ _tag: "Count", count: n }))
  if (duration !== undefined) {
    return Option.match(parseDuration(duration), {
      onNone: () =>
        Either.left(new BadArguments({ message: `--duration takes e.g. 90s, 5m or 1h, not "${duration}"` })),
      onSome: (d) => Either.right({ _tag: "Duration", duration: d })
    })
  }
  return Either.right({ _tag: "Unlimited" })
}

/** The command line of `npm run simulate`; "help" for `--help`. */
export const parseOptions = (argv: ReadonlyArray<string>): Either.Either<SimulatorOptions | "help", BadArguments> => {
  let values
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        "help": { type: "boolean", short: "h" },
        "rate": { type: "string" },
        "duration": { type: "string" },
        "count": { type: "string" },
        "branches": { type: "string" },
        "registers": { type: "string" },
        "max-items": { type: "string" },
        "seed": { type: "string" },
        "key": { type: "string" },
        "url": { type: "string" }
      }
    }).values
  } catch (error) {
    return Either.left(new BadArguments({ message: error instanceof Error ? error.message : String(error) }))
  }
  if (values.help === true) return Either.right("help")
  return Either.all({
    url: values.url === undefined ? Either.right(DEFAULT_OPTIONS.url) : parseUrl(values.url),
    rate: values.rate === undefined ? Either.right(DEFAULT_OPTIONS.rate) : parseRate(values.rate),
    limit: parseLimit(values.duration, values.count),
    branches: optional(values.branches, parseBranches),
    registersPerBranch: values.registers === undefined
      ? Either.right(DEFAULT_OPTIONS.registersPerBranch)
      : wholeNumber("registers", values.registers, 1, 100),
    maxItems: values["max-items"] === undefined
      ? Either.right(DEFAULT_OPTIONS.maxItems)
      : wholeNumber("max-items", values["max-items"], 1, 1000),
    seed: optional(values.seed, (text) => wholeNumber("seed", text, 0, 0xffff_ffff)),
    key: optional(values.key, (key) =>
      key.trim() === ""
        ? Either.left(new BadArguments({ message: "--key must not be empty" }))
        : Either.right(Redacted.make(key)))
  })
}
