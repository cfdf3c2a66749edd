/**
 * The analytics part of `npm run bench`: on a large history (generated in SQL, or a kept one
 * reused), store-analytics and cash-register started as users start them; purchases written through
 * POST /purchases at a steady rate throughout; each analytics endpoint measured alone; then the
 * lag of the live stream; then, with the writes stopped, the answers checked against SQL over the
 * purchases. Prints one table, writes the JSON, and checks the targets.
 */
import * as os from "node:os"
import * as path from "node:path"
import {
  bearer,
  checkpoint,
  createKey,
  dropDatabase,
  npmRun,
  readCatalogue,
  revokeKey,
  withClient
} from "../database.js"
import { buildFloor } from "../floor/build.js"
import type { Options } from "../options.js"
import { freePort, memory, type Service, sleep, startService } from "../processes.js"
import { BUSY_WARNING, resultsFile, writeJson } from "../report.js"
import { gitCommit, rootScripts, startScript } from "../repository.js"
import { type Dataset, describeDataset, generateDataset, reuseDataset } from "./dataset.js"
import { deepCursor, endpointsToMeasure, LOYAL_DEPTH } from "./endpoints.js"
import { checkExactness, checkFloorAgrees } from "./exactness.js"
import { getJson, keepAliveAgent } from "./http.js"
import { measureUnderWrites } from "./measure.js"
import { analyticsProblems, type AnalyticsResult, analyticsTargets, formatAnalyticsTable } from "./report.js"

export interface Session {
  readonly repoRoot: string
  /** Where the servers' output goes (kept when the bench fails). */
  readonly workDir: string
  readonly postgres: string
  readonly progress: (message: string) => void
  /** Undone in reverse order on the way out, whether the bench finished, failed or was interrupted. */
  readonly onCleanup: (cleanup: () => Promise<unknown>) => void
  /** Keep the servers' output after all. */
  readonly keepOutput: () => void
}

const prepareDataset = async (options: Options, session: Session): Promise<Dataset> => {
  const a = options.analytics
  const ctx = { repoRoot: session.repoRoot, adminUrl: options.adminUrl, progress: session.progress }
  const name = a.datasetDb ?? `icash_bench_${process.pid}_analytics`
  const size = { purchases: a.purchases, customers: a.customers, seed: options.seed }
  const reused = a.datasetDb === undefined ? undefined : await reuseDataset(ctx, name, size)
  if (reused !== undefined) return reused
  let complete = false
  session.onCleanup(async () => {
    if (complete && (a.datasetDb !== undefined || options.keepDatabases)) {
      return session.progress(
        `kept database ${name}: reuse it with --dataset-db ${name} --purchases ${a.purchases} ` +
          `--analytics-customers ${a.customers}`
      )
    }
    await dropDatabase(options.adminUrl, name)
  })
  const dataset = await generateDataset(ctx, name, size)
  complete = true
  return dataset
}

const startIcash = async (
  options: Options,
  session: Session,
  service: "store-analytics" | "cash-register",
  databaseUrl: string
): Promise<Service> => {
  const port = await freePort()
  const started = await startService({
    name: service,
    command: "npm",
    args: ["run", `start:${service}`],
    env: {
      DATABASE_URL: databaseUrl,
      HOST: "127.0.0.1",
      [service === "store-analytics" ? "STORE_ANALYTICS_PORT" : "CASH_REGISTER_PORT"]: String(port),
      // log files as by default (stdout and a file), but outside the repository
      LOG_DIR: path.join(session.workDir, `logs-${service}`),
      ...(options.logLevel === undefined ? {} : { LOG_LEVEL: options.logLevel })
    },
    port,
    cwd: session.repoRoot,
    logFile: path.join(session.workDir, `${service}.out`),
    direct: false,
    unset: options.logLevel === undefined ? ["LOG_LEVEL"] : []
  })
  session.onCleanup(() => started.stop())
  session.progress(
    `${service}: ready in ${started.readyMs.toFixed(0)} ms, ${
      ((memory(started.pid)?.rss ?? NaN) / 1e6).toFixed(0)
    } MB RSS; \`${started.command}\``
  )
  return started
}

/** The floor server (see floor/server.ts) on the dataset, as plain JavaScript on bare node. */
const startFloor = async (session: Session, databaseUrl: string): Promise<Service> => {
  const port = await freePort()
  const started = await startService({
    name: "floor",
    command: process.execPath,
    args: [buildFloor()],
    env: { DATABASE_URL: databaseUrl, HOST: "127.0.0.1", PORT: String(port) },
    port,
    cwd: session.repoRoot,
    logFile: path.join(session.workDir, "floor.out"),
    direct: true,
    unset: []
  })
  session.onCleanup(() => started.stop())
  return started
}

/** How many returning customers the writes are drawn from. */
const RETURNING_CUSTOMERS = 4000

/** Customers who have bought before, drawn at random. */
const returningCustomers = (url: string) =>
  withClient(url, async (client) =>
    (await client.query<{ id: string }>(
      `SELECT user_id::text AS id FROM customer_stats ORDER BY random() LIMIT ${RETURNING_CUSTOMERS}`
    )).rows.map((row) => row.id))

export const runAnalytics = async (options: Options, session: Session) => {
  const { progress } = session
  const a = options.analytics
  const startedAt = new Date()
  const out = resultsFile(
    session.repoRoot,
    a.out === undefined ? undefined : path.resolve(process.env.INIT_CWD ?? process.cwd(), a.out),
    startedAt,
    "analytics"
  )

  const dataset = await prepareDataset(options, session)
  const before = await describeDataset(dataset.url)
  const catalogue = await readCatalogue(dataset.url)
  const returning = await returningCustomers(dataset.url)
  const branch = catalogue.branches[0]!
  // an admin key (no rate limit) for every request, made as operators make one; revoked at the end,
  // so that a kept dataset holds no key that works
  progress("making an admin key (npm run keys -- create --role admin)")
  const key = await createKey(session.repoRoot, dataset.url, { role: "admin", name: "bench analytics" })
  session.onCleanup(() => revokeKey(dataset.url, key))
  const headers = bearer(key)

  if (rootScripts().build !== undefined) {
    // as a user builds before starting: the pre-start hooks then find nothing to do
    progress("npm run build")
    await npmRun(session.repoRoot, "build", {})
  }
  const analytics = await startIcash(options, session, "store-analytics", dataset.url)
  const register = await startIcash(options, session, "cash-register", dataset.url)
  const floor = await startFloor(session, dataset.url)
  const idleRss = memory(analytics.pid)?.rss ?? NaN

  const agent = keepAliveAgent(2)
  const endpoints = endpointsToMeasure(branch, await deepCursor(agent, analytics.baseUrl, LOYAL_DEPTH, headers))
  // each answers 200 before any is measured
  for (const endpoint of endpoints) await getJson(agent, `${analytics.baseUrl}${endpoint.path}`, headers)
  agent.destroy()
  await checkpoint(options.adminUrl)

  const measured = await measureUnderWrites({
    options: a,
    seed: options.seed,
    analytics,
    register,
    floor,
    catalogue,
    returning,
    endpoints,
    progress,
    headers
  })

  await sleep(2000) // the live figures settle (the target is 1 s)
  const afterRss = memory(analytics.pid)?.rss ?? NaN
  const highWaterRss = memory(analytics.pid)?.hwm ?? NaN
  progress("checking the answers against SQL over the purchases")
  const exactness = await checkExactness({
    analyticsUrl: analytics.baseUrl,
    databaseUrl: dataset.url,
    branch,
    now: new Date(),
    headers
  })
  const floorAgrees = await checkFloorAgrees({
    icashUrl: analytics.baseUrl,
    floorUrl: floor.baseUrl,
    endpoints,
    headers
  })
  await floor.stop()
  await register.stop()
  await analytics.stop()

  const result: AnalyticsResult = {
    dataset: { name: dataset.name, generated: dataset.generated, marker: dataset.marker, before },
    storeAnalytics: {
      command: analytics.command,
      readyMs: analytics.readyMs,
      idleRss,
      peakRss: measured.peakRss,
      afterRss,
      highWaterRss,
      cpuCores: measured.storeAnalyticsCores
    },
    endpoints: measured.endpoints,
    writes: measured.writes,
    stream: measured.stream,
    exactness,
    floorAgrees,
    cpu: measured.cpu
  }
  const targets = analyticsTargets(result)
  const problems = analyticsProblems(result)
  const busy = result.cpu.otherBusy > BUSY_WARNING
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? "?"}, node ${process.version}, ${
    session.postgres.split(",")[0]
  }`
  const context = `GET /analytics/*, ${a.connections} connections, ${a.warmup} s warm-up + ${a.seconds} s measured ` +
    `per endpoint, while POST /purchases writes ${a.writeRate}/s; store-analytics: \`${
      startScript("store-analytics")
    }\`, LOG_LEVEL ${options.logLevel ?? "default (Info)"}\n${machine}`
  console.log(formatAnalyticsTable(result, targets, context))
  if (busy) {
    console.log(`WARNING: other processes used over ${BUSY_WARNING * 100}% of the machine: the numbers are skewed`)
  }

  writeJson(out, {
    benchmark: "analytics",
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    commit: gitCommit(),
    options: { ...a, seed: options.seed, logLevel: options.logLevel, keepDatabases: options.keepDatabases },
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model.trim(),
      memoryBytes: os.totalmem(),
      node: process.version,
      postgres: session.postgres,
      loadAverage: os.loadavg()
    },
    storeAnalyticsStartScript: startScript("store-analytics"),
    catalogue,
    ...result,
    targets,
    problems,
    warnings: busy ? [`other processes used ${(result.cpu.otherBusy * 100).toFixed(0)}% of the machine's CPU`] : []
  })
  progress(`results written to ${out}`)
  if (problems.length > 0) {
    progress(`the analytics are not exact, or requests failed:\n  ${problems.join("\n  ")}`)
    process.exitCode = 1
    session.keepOutput()
  }
}
