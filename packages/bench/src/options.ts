/** The command line of `npm run bench`. */
import { parseArgs } from "node:util"

export type Target = "icash" | "floor"

export interface Options {
  readonly connections: number
  readonly seconds: number
  readonly warmup: number
  readonly rounds: number
  readonly only: Target | undefined
  readonly out: string | undefined
  readonly seed: number
  readonly customers: number
  /** LOG_LEVEL for iCash; undefined leaves its default (Info, with an access log line per request). */
  readonly logLevel: string | undefined
  readonly adminUrl: string
  readonly keepDatabases: boolean
}

export const usage = `Usage: npm run bench -- [options]

Measures POST /purchases on iCash (npm run start:cash-register) and on the hand-written floor
server (node:http + pg), each on a fresh database of its own on the PostgreSQL server that
BENCH_DATABASE_URL names (default postgres://postgres@127.0.0.1:5432/postgres), one after the other.

  --connections N   concurrent keep-alive connections (default 32)
  --seconds N       measured seconds per server (default 20)
  --warmup N        seconds of unmeasured load first (default 3)
  --rounds N        measure each server N times, alternating which goes first (default 1)
  --only T          only "icash" or only "floor"
  --out FILE        where to write the JSON (default bench-results/ingest-<date>.json)
  --seed N          seed of the request stream (default 1)
  --customers N     returning customers the purchases are drawn from (default 4000)
  --log-level L     LOG_LEVEL for iCash, e.g. Warn (default: iCash's own default, Info)
  --keep-databases  do not drop the databases at the end
  --help            this text`

const wholeNumber = (name: string, text: string | undefined, fallback: number, min: number) => {
  if (text === undefined) return fallback
  const value = Number(text)
  if (text === "" || !Number.isInteger(value) || value < min) {
    throw new Error(`--${name} takes a whole number >= ${min}`)
  }
  return value
}

const nonEmpty = (text: string | undefined, complaint: string) => {
  if (text === "") throw new Error(complaint)
  return text
}

export const parseOptions = (argv: ReadonlyArray<string>, env: NodeJS.ProcessEnv): Options | "help" => {
  const parsed = (() => {
    try {
      return parseArgs({
        args: [...argv],
        strict: true,
        options: {
          "help": { type: "boolean", short: "h" },
          "connections": { type: "string" },
          "seconds": { type: "string" },
          "warmup": { type: "string" },
          "rounds": { type: "string" },
          "only": { type: "string" },
          "out": { type: "string" },
          "seed": { type: "string" },
          "customers": { type: "string" },
          "log-level": { type: "string" },
          "keep-databases": { type: "boolean" }
        }
      }).values
    } catch (error) {
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`)
    }
  })()
  if (parsed.help) return "help"
  const only = parsed.only
  if (only !== undefined && only !== "icash" && only !== "floor") throw new Error("--only takes icash or floor")
  return {
    connections: wholeNumber("connections", parsed.connections, 32, 1),
    seconds: wholeNumber("seconds", parsed.seconds, 20, 1),
    warmup: wholeNumber("warmup", parsed.warmup, 3, 0),
    rounds: wholeNumber("rounds", parsed.rounds, 1, 1),
    only,
    out: nonEmpty(parsed.out, "--out takes a file name"),
    seed: wholeNumber("seed", parsed.seed, 1, 1),
    customers: wholeNumber("customers", parsed.customers, 4000, 1),
    logLevel: nonEmpty(parsed["log-level"], "--log-level takes a level, e.g. Warn"),
    adminUrl: env.BENCH_DATABASE_URL?.trim() || "postgres://postgres@127.0.0.1:5432/postgres",
    keepDatabases: parsed["keep-databases"] ?? false
  }
}
