/** The command line of `npm run bench`. */
import { parseArgs } from "node:util"

export type Target = "icash" | "floor"

/** Which parts `npm run bench` runs: both by default. */
export type Part = "ingest" | "analytics" | "both"

/** The analytics part: the endpoints of store-analytics over a large generated history. */
export interface AnalyticsOptions {
  /** Purchases and customers of the generated dataset. */
  readonly purchases: number
  readonly customers: number
  /** An existing dataset database to reuse (or to generate and keep under this name). */
  readonly datasetDb: string | undefined
  /** Measured and warm-up seconds per endpoint, at `connections` connections. */
  readonly seconds: number
  readonly warmup: number
  readonly connections: number
  /** Requests a second of each endpoint's paced run (its saturated run sends as many as answered). */
  readonly rate: number
  /** Purchases per second written through POST /purchases during the measurement. */
  readonly writeRate: number
  /** Purchases posted one at a time to time the live stream. */
  readonly streamSamples: number
  readonly out: string | undefined
}

export interface Options {
  readonly part: Part
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
  readonly analytics: AnalyticsOptions
}

export const usage = `Usage: npm run bench -- [options]

Two parts, both by default, on the PostgreSQL server that BENCH_DATABASE_URL names (default
postgres://postgres@127.0.0.1:5432/postgres):

  --part P          "ingest", "analytics" or "both" (default both)
  --keep-databases  do not drop the databases at the end (a generated history can then be reused)
  --seed N          seed of the requests and of the generated history (default 1)
  --log-level L     LOG_LEVEL for iCash's services, e.g. Warn (default: iCash's own default, Info)
  --help            this text

The ingest part measures POST /purchases on iCash (npm run start:cash-register) and on the
hand-written floor server (node:http + pg), each on a fresh database of its own, one after the other.

  --connections N   concurrent keep-alive connections (default 32)
  --seconds N       measured seconds per server (default 20)
  --warmup N        seconds of unmeasured load first (default 3)
  --rounds N        measure each server N times, alternating which goes first (default 1)
  --only T          only "icash" or only "floor"
  --out FILE        where to write the JSON (default bench-results/ingest-<date>.json)
  --customers N     returning customers the purchases are drawn from (default 4000)

The analytics part generates a history in SQL on the server (or reuses one), starts
npm run start:store-analytics and npm run start:cash-register on it, writes purchases through
POST /purchases meanwhile, and measures each analytics endpoint, the live stream's lag and the
store-analytics process's memory, then checks the answers against SQL over the purchases.

  --purchases N              purchases in the generated history (default 10000000)
  --analytics-customers N    customers they are drawn from (default 2000000)
  --dataset-db NAME          reuse the dataset database NAME if it holds a history of that size;
                             generate it under that name and keep it if it does not exist
  --analytics-seconds N      measured seconds per endpoint (default 10)
  --analytics-warmup N       unmeasured seconds per endpoint first (default 2)
  --analytics-connections N  connections per endpoint (default 4)
  --analytics-rate N         requests/s of each endpoint's paced run, after its saturated one
                             (default 100); the p99 target is checked on the paced run
  --write-rate N             purchases/s written through POST /purchases meanwhile (default 200)
  --stream-samples N         purchases posted one at a time to time /analytics/stream (default 50)
  --analytics-out FILE       where to write the JSON (default bench-results/analytics-<date>.json)`

const wholeNumber = (name: string, text: string | undefined, fallback: number, min: number) => {
  if (text === undefined) return fallback
  const value = Number(text)
  if (text === "" || !Number.isInteger(value) || value < min) {
    throw new Error(`--${name} takes a whole number >= ${min}`)
  }
  return value
}

/** The database names the bench creates and accepts (unquoted PostgreSQL identifiers). */
const DATABASE_NAME = /^[a-z_][a-z0-9_]{0,62}$/

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
          "keep-databases": { type: "boolean" },
          "part": { type: "string" },
          "purchases": { type: "string" },
          "analytics-customers": { type: "string" },
          "dataset-db": { type: "string" },
          "analytics-seconds": { type: "string" },
          "analytics-warmup": { type: "string" },
          "analytics-connections": { type: "string" },
          "analytics-rate": { type: "string" },
          "write-rate": { type: "string" },
          "stream-samples": { type: "string" },
          "analytics-out": { type: "string" }
        }
      }).values
    } catch (error) {
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`)
    }
  })()
  if (parsed.help) return "help"
  const only = parsed.only
  if (only !== undefined && only !== "icash" && only !== "floor") throw new Error("--only takes icash or floor")
  const part = parsed.part ?? "both"
  if (part !== "ingest" && part !== "analytics" && part !== "both") {
    throw new Error("--part takes ingest, analytics or both")
  }
  const datasetDb = nonEmpty(parsed["dataset-db"], "--dataset-db takes a database name")
  if (datasetDb !== undefined && !DATABASE_NAME.test(datasetDb)) {
    throw new Error("--dataset-db takes a name of lower-case letters, digits and _")
  }
  return {
    part,
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
    keepDatabases: parsed["keep-databases"] ?? false,
    analytics: {
      purchases: wholeNumber("purchases", parsed.purchases, 10_000_000, 1),
      customers: wholeNumber("analytics-customers", parsed["analytics-customers"], 2_000_000, 1),
      datasetDb,
      seconds: wholeNumber("analytics-seconds", parsed["analytics-seconds"], 10, 1),
      warmup: wholeNumber("analytics-warmup", parsed["analytics-warmup"], 2, 0),
      connections: wholeNumber("analytics-connections", parsed["analytics-connections"], 4, 1),
      rate: wholeNumber("analytics-rate", parsed["analytics-rate"], 100, 1),
      writeRate: wholeNumber("write-rate", parsed["write-rate"], 200, 0),
      streamSamples: wholeNumber("stream-samples", parsed["stream-samples"], 50, 1),
      out: nonEmpty(parsed["analytics-out"], "--analytics-out takes a file name")
    }
  }
}
