/** The command line of `npm run bench`. */

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

const positiveInt = (name: string, text: string | undefined) => {
  const value = Number(text)
  if (text === undefined || !Number.isInteger(value) || value < 1) {
    throw new Error(`--${name} takes a whole number >= 1`)
  }
  return value
}

export const parseOptions = (argv: ReadonlyArray<string>, env: NodeJS.ProcessEnv): Options | "help" => {
  let options: Options = {
    connections: 32,
    seconds: 20,
    warmup: 3,
    rounds: 1,
    only: undefined,
    out: undefined,
    seed: 1,
    customers: 4000,
    logLevel: undefined,
    adminUrl: env.BENCH_DATABASE_URL?.trim() || "postgres://postgres@127.0.0.1:5432/postgres",
    keepDatabases: false
  }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!
    const [name, inline] = flag.startsWith("--") && flag.includes("=")
      ? flag.split("=", 2) as [string, string]
      : [flag, undefined]
    const value = () => inline ?? argv[++i]
    switch (name) {
      case "--help":
      case "-h":
        return "help"
      case "--connections":
        options = { ...options, connections: positiveInt("connections", value()) }
        break
      case "--seconds":
        options = { ...options, seconds: positiveInt("seconds", value()) }
        break
      case "--warmup": {
        const text = value()
        const warmup = Number(text)
        if (text === undefined || !Number.isInteger(warmup) || warmup < 0) {
          throw new Error("--warmup takes a whole number >= 0")
        }
        options = { ...options, warmup }
        break
      }
      case "--rounds":
        options = { ...options, rounds: positiveInt("rounds", value()) }
        break
      case "--only": {
        const only = value()
        if (only !== "icash" && only !== "floor") throw new Error("--only takes icash or floor")
        options = { ...options, only }
        break
      }
      case "--out": {
        const out = value()
        if (out === undefined || out === "") throw new Error("--out takes a file name")
        options = { ...options, out }
        break
      }
      case "--seed":
        options = { ...options, seed: positiveInt("seed", value()) }
        break
      case "--customers":
        options = { ...options, customers: positiveInt("customers", value()) }
        break
      case "--log-level": {
        const logLevel = value()
        if (logLevel === undefined || logLevel === "") throw new Error("--log-level takes a level, e.g. Warn")
        options = { ...options, logLevel }
        break
      }
      case "--keep-databases":
        options = { ...options, keepDatabases: true }
        break
      default:
        throw new Error(`unknown option ${flag}\n\n${usage}`)
    }
  }
  return options
}
