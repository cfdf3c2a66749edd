/**
 * The servers under test as processes: started in a process group of their own, watched until
 * `GET /ready` answers 200, measured through /proc (RSS, CPU), stopped as Ctrl-C would.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { closeSync, openSync, readdirSync, readFileSync, readlinkSync } from "node:fs"
import { request } from "node:http"
import { createServer } from "node:net"

/** A port nobody listens on right now (never 8000/8001, where a developer's iCash may run). */
export const freePort = async (): Promise<number> => {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer()
      server.on("error", reject)
      server.listen(0, "127.0.0.1", () => {
        const address = server.address()
        server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0))
      })
    })
    if (port !== 0 && port !== 8000 && port !== 8001) return port
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** The status of `GET url`, or undefined when nothing answers. */
export const httpStatus = (url: string, timeoutMs = 1000) =>
  new Promise<number | undefined>((resolve) => {
    const req = request(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume()
      res.on("end", () => resolve(res.statusCode))
    })
    req.on("timeout", () => req.destroy())
    req.on("error", () => resolve(undefined))
    req.end()
  })

const CLOCK_TICKS_PER_SECOND = 100 // USER_HZ: 100 on every Linux platform Node supports

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces); undefined once it is gone. */
const statFields = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  } catch {
    return undefined
  }
}

const parentOf = (pid: number) => Number(statFields(pid)?.[1] ?? NaN)

/** When the process started, in clock ticks since boot. */
const startTicks = (pid: number) => Number(statFields(pid)?.[19] ?? NaN)

/**
 * CPU time the process has used so far (user + system), in ms; with `endedChildren`, that of its
 * children that ended too: a PostgreSQL backend that ends (a pool closing an idle connection) is
 * counted in its postmaster's, where it would otherwise be lost and read as other processes' CPU.
 */
export const cpuMs = (pid: number, options: { readonly endedChildren?: boolean } = {}) => {
  const fields = statFields(pid)
  if (fields === undefined) return NaN
  const own = Number(fields[11]) + Number(fields[12])
  const children = options.endedChildren === true ? Number(fields[13]) + Number(fields[14]) : 0
  return ((own + children) * 1000) / CLOCK_TICKS_PER_SECOND
}

/** Resident set size now and its peak so far (VmRSS, VmHWM), in bytes; undefined once it is gone. */
export const memory = (pid: number) => {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8")
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN) * 1024
    return { rss: kb("VmRSS"), hwm: kb("VmHWM") }
  } catch {
    return undefined
  }
}

/**
 * Whole-machine CPU time so far (/proc/stat), in ms summed over all cores: all of it, and the
 * part processes ran (user, nice, system; interrupt time, which no process is charged for, is left out).
 */
export const machineCpu = () => {
  const [, ...values] = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/)
  // user nice system idle iowait irq softirq steal; guest time is already counted in user
  const [user = 0, nice = 0, system = 0, ...rest] = values.slice(0, 8).map(Number)
  const total = user + nice + system + rest.reduce((a, b) => a + b, 0)
  const ms = (ticks: number) => (ticks * 1000) / CLOCK_TICKS_PER_SECOND
  return { processMs: ms(user + nice + system), totalMs: ms(total) }
}

/** CPU time so far of every process named `command` (e.g. all of PostgreSQL's, ended backends included), by pid, in ms. */
export const cpuOfCommand = (command: string): Map<number, number> => {
  const found = new Map<number, number>()
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry)
    if (!Number.isInteger(pid)) continue
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
      if (stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")) === command) {
        found.set(pid, cpuMs(pid, { endedChildren: true }))
      }
    } catch {
      // gone meanwhile
    }
  }
  return found
}

/** CPU used between two `cpuOfCommand` readings (by the processes still alive at the second one). */
export const cpuSince = (before: Map<number, number>, after: Map<number, number>) => {
  let total = 0
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0)
  return total
}

const isNode = (pid: number) => {
  try {
    return readlinkSync(`/proc/${pid}/exe`) === readlinkSync(`/proc/${process.pid}/exe`)
  } catch {
    return false
  }
}

/**
 * The server's own node process: `pid` itself when it is the server, else the deepest node
 * process below it (`npm run x` → `sh -c …` → `node …`; npm is node too, and is skipped).
 */
export const serverProcess = (root: number, rootIsServer: boolean): number | undefined => {
  if (rootIsServer) return root
  const children = new Map<number, Array<number>>()
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry)
    if (!Number.isInteger(pid)) continue
    const parent = parentOf(pid)
    if (!Number.isNaN(parent)) children.set(parent, [...(children.get(parent) ?? []), pid])
  }
  let found: { pid: number; depth: number } | undefined
  const visit = (pid: number, depth: number) => {
    for (const child of children.get(pid) ?? []) {
      if (isNode(child) && (found === undefined || depth > found.depth)) found = { pid: child, depth }
      visit(child, depth + 1)
    }
  }
  visit(root, 1)
  return found?.pid
}

export interface Service {
  readonly name: string
  readonly baseUrl: string
  /** The command line as started. */
  readonly command: string
  readonly child: ChildProcess
  /** The server's node process (under npm when started through an npm script). */
  readonly pid: number
  /** From spawning the command to the first 200 of `GET /ready`. */
  readonly readyMs: number
  /** From the server's node process starting (after npm's own start-up, if any) to that 200, ±10 ms. */
  readonly nodeReadyMs: number
  readonly logFile: string
  readonly stop: () => Promise<void>
}

export interface StartOptions {
  readonly name: string
  readonly command: string
  readonly args: ReadonlyArray<string>
  readonly env: Record<string, string>
  readonly port: number
  readonly cwd: string
  /** stdout and stderr of the server go here. */
  readonly logFile: string
  /** True when `command` is the server itself rather than a launcher such as npm. */
  readonly direct: boolean
  /** Variables of this process's environment the server must not inherit. */
  readonly unset: ReadonlyArray<string>
  readonly readyWithinMs?: number
}

const signalGroup = (pid: number, signal: NodeJS.Signals | 0) => {
  try {
    process.kill(-pid, signal)
    return true
  } catch {
    return false
  }
}

/** Every group started and not yet stopped, for a last-resort kill on the way out. */
const running = new Set<number>()

export const killAllStarted = () => {
  for (const pid of running) signalGroup(pid, "SIGKILL")
  running.clear()
}

/** Stops a process group as Ctrl-C does (SIGINT), then SIGKILL after `graceMs`; resolves once all of it is gone. */
const stopGroup = async (pid: number, graceMs = 10_000) => {
  signalGroup(pid, "SIGINT")
  const deadline = Date.now() + graceMs
  while (signalGroup(pid, 0)) {
    if (Date.now() > deadline) signalGroup(pid, "SIGKILL")
    await sleep(50)
  }
  running.delete(pid)
}

const tail = (file: string, lines = 30) => {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n")
  } catch {
    return ""
  }
}

/** Starts a server in a process group of its own and waits until `GET /ready` answers 200. */
export const startService = async (options: StartOptions): Promise<Service> => {
  const out = openSync(options.logFile, "a")
  const spawnedAt = performance.now()
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: {
      ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !options.unset.includes(key))),
      ...options.env
    },
    detached: true,
    stdio: ["ignore", out, out]
  })
  closeSync(out)
  const group = child.pid
  if (group === undefined) throw new Error(`${options.name}: could not start ${options.command}`)
  running.add(group)
  let exited = false
  child.once("exit", () => (exited = true))

  const baseUrl = `http://127.0.0.1:${options.port}`
  const deadline = spawnedAt + (options.readyWithinMs ?? 60_000)
  for (;;) {
    const status = await httpStatus(`${baseUrl}/ready`, 500)
    if (status === 200) break
    if (exited || performance.now() > deadline) {
      await stopGroup(group)
      throw new Error(
        `${options.name} ${exited ? "exited" : "was not ready in time"}; its output (${options.logFile}):\n${
          tail(options.logFile)
        }`
      )
    }
    await sleep(20)
  }
  const readyMs = performance.now() - spawnedAt

  const pid = serverProcess(group, options.direct)
  if (pid === undefined) {
    await stopGroup(group)
    throw new Error(`${options.name}: found no node process under ${options.command} (pid ${group})`)
  }
  const launcherMs = ((startTicks(pid) - startTicks(group)) * 1000) / CLOCK_TICKS_PER_SECOND

  return {
    name: options.name,
    baseUrl,
    command: [options.command, ...options.args].join(" "),
    child,
    pid,
    readyMs,
    nodeReadyMs: readyMs - (Number.isFinite(launcherMs) ? launcherMs : 0),
    logFile: options.logFile,
    stop: () => stopGroup(group)
  }
}

export interface ResourceSampler {
  /** Peak VmRSS among the samples, the CPU the server used, and the sample count, since start. */
  readonly stop: () => { readonly peakRss: number; readonly cpuMs: number; readonly samples: number }
}

/** Samples the process's VmRSS every `everyMs` and its CPU time at start and stop. */
export const sampleResources = (pid: number, everyMs = 250): ResourceSampler => {
  let peakRss = 0
  let samples = 0
  const sample = () => {
    const now = memory(pid)
    if (now !== undefined && Number.isFinite(now.rss)) {
      peakRss = Math.max(peakRss, now.rss)
      samples++
    }
  }
  const cpuAtStart = cpuMs(pid)
  sample()
  const timer = setInterval(sample, everyMs)
  return {
    stop: () => {
      clearInterval(timer)
      sample()
      return { peakRss, cpuMs: cpuMs(pid) - cpuAtStart, samples }
    }
  }
}
