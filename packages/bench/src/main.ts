/**
 * `npm run bench`: its two parts, one after the other (`--part` picks one).
 *
 * Ingest: POST /purchases throughput of iCash, started as users start it
 * (`npm run start:cash-register`), against the hand-written floor server, each on a fresh database
 * on the same PostgreSQL server, one after the other. Analytics: see analytics/run.ts.
 * Each part prints one table and writes its JSON.
 * Progress goes to stderr, the tables to stdout. `npm run bench -- --help` lists the options.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { runAnalytics } from "./analytics/run.js"
import {
  bearer,
  checkpoint,
  counts,
  createKey,
  databaseUrl,
  dropDatabase,
  npmRun,
  prepareDatabase,
  readCatalogue,
  serverVersion
} from "./database.js"
import { buildFloor } from "./floor/build.js"
import { drive, type LoadResult } from "./load.js"
import { type Options, parseOptions, type Target, usage } from "./options.js"
import { catalogueServed, type ProbeKeys, runProbes } from "./probe.js"
import {
  cpuOfCommand,
  cpuSince,
  freePort,
  killAllStarted,
  machineCpu,
  memory,
  sampleResources,
  startService
} from "./processes.js"
import { BUSY_WARNING, formatTable, resultsFile, type RunResult, summarize, writeJson } from "./report.js"
import { gitCommit, repoRoot, rootScripts } from "./repository.js"
import { type Catalogue, customerPool, purchaseStream } from "./requests.js"

const began = performance.now()
const progress = (message: string) =>
  process.stderr.write(`[bench ${((performance.now() - began) / 1000).toFixed(1).padStart(6)}s] ${message}\n`)

/** Undone in reverse order on the way out, whether the bench finished, failed or was interrupted. */
const cleanups: Array<() => Promise<unknown>> = []
/** Kept when the bench fails, for the servers' output. */
let workDir: string | undefined
let keepWorkDir = false
let cleaningUp: Promise<void> | undefined
const cleanUp = () => (cleaningUp ??= (async () => {
  for (const cleanup of cleanups.reverse()) {
    await cleanup().catch((error: unknown) => progress(`clean-up failed: ${String(error)}`))
  }
  killAllStarted()
})())

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    progress(`${signal}: stopping the servers and dropping the databases`)
    void cleanUp().then(() => process.exit(130))
  })
}

/** The load streams: the same for both servers, a different one for the warm-up. */
const MEASURED_STREAM = 0
const WARMUP_STREAM = 0x9e3779b9

interface Setup {
  readonly options: Options
  readonly catalogue: Catalogue
  readonly customers: ReadonlyArray<string>
  readonly urls: Record<Target, string>
  /** Each database's keys: its admin key drives the load, both serve the probes. */
  readonly keys: Record<Target, ProbeKeys>
  readonly floorEntry: string | undefined
  readonly workDir: string
}

const serverEnv = (setup: Setup, target: Target, port: number, round: number): Record<string, string> => {
  const common = { DATABASE_URL: setup.urls[target], HOST: "127.0.0.1", PG_POOL_MAX: process.env.PG_POOL_MAX ?? "10" }
  if (target === "floor") return { ...common, PORT: String(port) }
  const logDir = path.join(setup.workDir, `logs-icash-${round}`)
  return {
    ...common,
    CASH_REGISTER_PORT: String(port),
    // log files as by default (stdout and a file), but outside the repository
    LOG_DIR: logDir,
    ...(setup.options.logLevel === undefined ? {} : { LOG_LEVEL: setup.options.logLevel })
  }
}

const start = async (setup: Setup, target: Target, round: number) => {
  if (target === "icash" && rootScripts().build !== undefined) {
    // as a user builds before starting: a pre-start hook that checks the build then finds nothing to do,
    // so that a rebuild (after someone's edit) is not counted in the start-to-ready time
    progress("npm run build")
    await npmRun(repoRoot, "build", {})
  }
  const port = await freePort()
  const env = serverEnv(setup, target, port, round)
  const logFile = path.join(setup.workDir, `${target}-${round}.out`)
  const service = await (target === "floor"
    ? startService({
      name: "floor",
      command: process.execPath,
      args: [setup.floorEntry!],
      env,
      port,
      cwd: repoRoot,
      logFile,
      direct: true,
      unset: []
    })
    : startService({
      name: "iCash",
      command: "npm",
      args: ["run", "start:cash-register"],
      env,
      port,
      cwd: repoRoot,
      logFile,
      direct: false,
      // without --log-level, iCash runs at its default level whatever the shell says
      unset: setup.options.logLevel === undefined ? ["LOG_LEVEL"] : []
    }))
  return { service, env }
}

const describeLoad = (load: LoadResult) =>
  `${load.created} purchases in ${load.seconds.toFixed(1)} s (${(load.created / load.seconds).toFixed(0)}/s), ` +
  `p50 ${load.latency.p50} ms, p99 ${load.latency.p99} ms, ${load.errors} errors` +
  (load.errors > 0
    ? ` (${
      JSON.stringify(load.otherStatuses)
    }, ${load.connectionErrors} connection errors of which ${load.timeouts} timeouts)`
    : "")

const measure = async (
  setup: Setup,
  target: Target,
  round: number
): Promise<{ run: RunResult; sample: string; problems: ReadonlyArray<string> }> => {
  const { options } = setup
  const url = setup.urls[target]
  const keys = setup.keys[target]
  const headers = bearer(keys.admin)
  progress(`${target} #${round}: starting`)
  const { service, env } = await start(setup, target, round)
  let stopped = false
  const stop = async () => {
    if (!stopped) await service.stop()
    stopped = true
  }
  cleanups.push(stop)
  try {
    const idleRss = memory(service.pid)?.rss ?? NaN
    progress(
      `${target} #${round}: ready in ${service.readyMs.toFixed(0)} ms (node process ${service.pid}: ` +
        `${service.nodeReadyMs.toFixed(0)} ms), ${(idleRss / 1e6).toFixed(0)} MB RSS; \`${service.command}\``
    )
    const problems: Array<string> = []
    if (target === "icash" && !(await catalogueServed(service.baseUrl, setup.catalogue, keys.admin))) {
      problems.push("iCash's GET /branches and GET /products do not list the catalogue the requests are drawn from")
    }
    const probes = await runProbes(service.baseUrl, setup.catalogue, keys)
    for (const failure of probes.failures) problems.push(`${target} probe ${failure}`)
    if (problems.length > 0) progress(`${target} #${round}: ${problems.join("; ")}`)

    await checkpoint(options.adminUrl)
    let warmup: LoadResult | undefined
    let warmupPurchasesAdded: number | undefined
    if (options.warmup > 0) {
      const before = await counts(url)
      warmup = await drive({
        url: service.baseUrl,
        connections: options.connections,
        seconds: options.warmup,
        headers,
        next: purchaseStream(setup.catalogue, setup.customers, options.seed + WARMUP_STREAM)
      })
      warmupPurchasesAdded = (await counts(url)).purchases - before.purchases
      progress(`${target} #${round}: warm-up ${describeLoad(warmup)}; the database gained ${warmupPurchasesAdded}`)
    }

    const before = await counts(url)
    const loadAverageBefore = os.loadavg()[0]!
    const machineBefore = machineCpu()
    const postgresBefore = cpuOfCommand("postgres")
    const benchCpuBefore = process.cpuUsage()
    const sampler = sampleResources(service.pid)
    progress(`${target} #${round}: measuring for ${options.seconds} s at ${options.connections} connections`)
    const measured = await drive({
      url: service.baseUrl,
      connections: options.connections,
      seconds: options.seconds,
      headers,
      next: purchaseStream(setup.catalogue, setup.customers, options.seed + MEASURED_STREAM)
    })
    const resources = sampler.stop()
    const benchCpuMs = cpuTotalMs(process.cpuUsage(benchCpuBefore))
    const postgresCpuMs = cpuSince(postgresBefore, cpuOfCommand("postgres"))
    const machineAfter = machineCpu()
    const machineMs = machineAfter.totalMs - machineBefore.totalMs
    const machineBusy = (machineAfter.processMs - machineBefore.processMs) / machineMs
    // what the rest of the machine did meanwhile (other people's builds and tests skew the numbers)
    const otherMs = machineAfter.processMs - machineBefore.processMs - resources.cpuMs - benchCpuMs - postgresCpuMs
    const otherBusy = Math.max(0, otherMs) / machineMs
    if (otherBusy > BUSY_WARNING) {
      const share = (otherBusy * 100).toFixed(0)
      progress(`${target} #${round}: warning: other processes used ${share}% of the machine's CPU during the run`)
    }
    const highWaterRss = memory(service.pid)?.hwm ?? NaN
    const purchasesAdded = (await counts(url)).purchases - before.purchases
    await stop()

    const countsMatch = purchasesAdded === measured.created &&
      (warmup === undefined || warmupPurchasesAdded === warmup.created)
    progress(
      `${target} #${round}: ${describeLoad(measured)}; the database gained ${purchasesAdded} ` +
        `(${countsMatch ? "= the 201s" : "MISMATCH with the 201s"})${
          measured.drained ? "" : "; the connections did not drain"
        }`
    )
    if (!countsMatch) {
      problems.push(`${target} #${round}: the database gained ${purchasesAdded} purchases for ${measured.created} 201s`)
    }

    const run: RunResult = {
      target,
      round,
      command: service.command,
      env: Object.fromEntries(Object.entries(env).filter(([key]) => key !== "DATABASE_URL")),
      readyMs: service.readyMs,
      nodeReadyMs: service.nodeReadyMs,
      idleRss,
      peakRss: resources.peakRss,
      highWaterRss,
      rssSamples: resources.samples,
      purchasesPerSecond: measured.created / measured.seconds,
      measured,
      warmup,
      purchasesAdded,
      warmupPurchasesAdded,
      countsMatch,
      serverCpuMsPerPurchase: resources.cpuMs / Math.max(1, measured.created),
      serverCpuCores: resources.cpuMs / 1000 / measured.seconds,
      loadGeneratorCpuCores: benchCpuMs / 1000 / measured.seconds,
      postgresCpuMsPerPurchase: postgresCpuMs / Math.max(1, measured.created),
      postgresCpuCores: postgresCpuMs / 1000 / measured.seconds,
      machineBusy,
      otherBusy,
      loadAverageBefore
    }
    return { run, sample: probes.sample, problems }
  } finally {
    await stop()
  }
}

const cpuTotalMs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000

const ingest = async (options: Options, dir: string, postgres: string) => {
  const startedAt = new Date()
  const targets: ReadonlyArray<Target> = options.only === undefined ? ["floor", "icash"] : [options.only]
  const out = resultsFile(
    repoRoot,
    options.out === undefined ? undefined : path.resolve(process.env.INIT_CWD ?? process.cwd(), options.out),
    startedAt
  )

  const names = Object.fromEntries(targets.map((target) => [target, `icash_bench_${process.pid}_${target}`]))
  const urls = Object.fromEntries(
    targets.map((target) => [target, databaseUrl(options.adminUrl, names[target]!)])
  ) as Record<Target, string>
  progress(`creating, migrating and seeding ${Object.values(names).join(" and ")} (npm run migrate, npm run seed)`)
  for (const target of targets) {
    cleanups.push(async () => {
      if (options.keepDatabases) return progress(`kept database ${names[target]}`)
      await dropDatabase(options.adminUrl, names[target]!)
    })
  }
  // one after the other: two seeds at once would fight over the same two cores
  for (const target of targets) await prepareDatabase(repoRoot, options.adminUrl, names[target]!, { LOG_DIR: "" })

  const catalogues = await Promise.all(targets.map((target) => readCatalogue(urls[target])))
  const catalogue = catalogues[0]!
  if (catalogues.some((other) => JSON.stringify(other) !== JSON.stringify(catalogue))) {
    throw new Error("the two databases hold different catalogues")
  }
  // the same keys in each database, made as operators make them; the floor loads them from there too
  progress("making an admin key and a register key in each database (npm run keys -- create)")
  const keys: Partial<Record<Target, ProbeKeys>> = {}
  for (const target of targets) {
    const admin = await createKey(repoRoot, urls[target], { role: "admin", name: "bench" })
    const register = await createKey(repoRoot, urls[target], {
      role: "register",
      branch: catalogue.branches[0]!,
      name: "bench probes"
    })
    keys[target] = { admin, register }
  }
  const floorEntry = targets.includes("floor") ? buildFloor() : undefined
  const setup: Setup = {
    options,
    catalogue,
    customers: customerPool(options.seed, options.customers),
    urls,
    keys: keys as Record<Target, ProbeKeys>,
    floorEntry,
    workDir: dir
  }
  progress(
    `catalogue: ${catalogue.branches.length} branches, ${catalogue.products.length} products; ${options.customers} customers`
  )

  const runs: Array<RunResult> = []
  const samples: Partial<Record<Target, string>> = {}
  const problems: Array<string> = []
  for (let round = 1; round <= options.rounds; round++) {
    // alternate the order, so that neither server always runs on the fresher machine
    const order = round % 2 === 1 ? targets : [...targets].reverse()
    for (const target of order) {
      const result = await measure(setup, target, round)
      runs.push(result.run)
      samples[target] ??= result.sample
      for (const problem of result.problems) problems.push(problem)
    }
  }
  if (samples.floor !== undefined && samples.icash !== undefined && samples.floor !== samples.icash) {
    problems.push(`the same purchase was answered differently:\n  floor ${samples.floor}\n  iCash ${samples.icash}`)
  }

  const summary = summarize(runs)
  const scripts = rootScripts()
  const startScript = [scripts["prestart:cash-register"], scripts["start:cash-register"]]
    .filter((script) => script !== undefined).join(" && ")
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? "?"}, node ${process.version}, ${
    postgres.split(",")[0]
  }`
  const context =
    `POST /purchases, ${options.connections} connections, ${options.warmup} s warm-up + ${options.seconds} s measured` +
    ` per server, ${options.rounds} round(s)` +
    (targets.includes("icash")
      ? `; iCash: \`${startScript}\`, LOG_LEVEL ${options.logLevel ?? "default (Info)"}`
      : "") +
    `\n${machine}`
  console.log(formatTable(runs, summary, context))

  writeJson(out, {
    benchmark: "ingest",
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    commit: gitCommit(),
    options: { ...options, adminUrl: undefined, part: undefined, analytics: undefined },
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model.trim(),
      memoryBytes: os.totalmem(),
      node: process.version,
      postgres,
      loadAverage: os.loadavg()
    },
    icashStartScript: startScript,
    catalogue,
    summary: {
      ratio: summary.ratio,
      targets: summary.targets,
      icash: summary.icash === undefined ? undefined : { round: summary.icash.round },
      floor: summary.floor === undefined ? undefined : { round: summary.floor.round }
    },
    runs,
    probeSamples: samples,
    problems,
    warnings: runs
      .filter((run) => run.otherBusy > BUSY_WARNING)
      .map((run) =>
        `${run.target} #${run.round}: other processes used ${(run.otherBusy * 100).toFixed(0)}% of the machine's CPU`
      )
  })
  progress(`results written to ${out}`)
  if (problems.length > 0) {
    progress(`the measurement is not trustworthy:\n  ${problems.join("\n  ")}`)
    process.exitCode = 1
    keepWorkDir = true
  }
}

const main = async () => {
  const parsed = parseOptions(process.argv.slice(2), process.env)
  if (parsed === "help") return void console.log(usage)
  const options = parsed
  const postgres = await serverVersion(options.adminUrl).catch((error: unknown) => {
    throw new Error(`cannot reach PostgreSQL at BENCH_DATABASE_URL (${options.adminUrl}): ${String(error)}`)
  })
  const dir = mkdtempSync(path.join(os.tmpdir(), "icash-bench-"))
  workDir = dir
  cleanups.push(async () =>
    keepWorkDir && readdirSync(dir).length > 0
      ? progress(`server output kept in ${dir}`)
      : rmSync(dir, { recursive: true, force: true })
  )
  if (existsSync(path.join(repoRoot, ".env"))) {
    progress("note: the repository has a .env file; iCash reads it (the variables the bench sets win)")
  }
  if (options.part !== "analytics") await ingest(options, dir, postgres)
  if (options.part !== "ingest") {
    await runAnalytics(options, {
      repoRoot,
      workDir: dir,
      postgres,
      progress,
      onCleanup: (cleanup) => void cleanups.push(cleanup),
      keepOutput: () => void (keepWorkDir = true)
    })
  }
}

main()
  .catch((error: unknown) => {
    progress(`failed: ${error instanceof Error ? error.message : String(error)}`)
    process.exitCode = 1
    keepWorkDir = workDir !== undefined
  })
  .finally(async () => {
    await cleanUp()
    // autocannon and fetch may leave sockets or timers behind; the bench is done
    process.exit()
  })
