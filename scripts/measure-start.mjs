// Start time and memory of one iCash process: spawns `command`, times the first 200 from GET /ready,
// reads its RSS when idle, sends a short burst of requests, and reads its RSS again. Repeats `--runs`
// times and prints one line per run plus the ranges. Needs a seeded database in DATABASE_URL.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/icash_measure \
//     node scripts/measure-start.mjs --service cash-register --runs 3 -- node dist/cash-register.js
//
// --service cash-register: 2,000 POST /purchases (concurrency 16); store-analytics: 2,000 GETs of
// the three analytics endpoints; app (`npm start`'s program): both ports must be ready, the burst
// goes to the cash register. RSS is the spawned process's own: spawn node itself, not npm, to
// measure it (npm's start-to-ready is meaningful, its RSS is npm's).
import { spawn } from "node:child_process"
import { randomUUID } from "node:crypto"
import { readFileSync } from "node:fs"
import { createServer } from "node:net"
import { parseArgs } from "node:util"

const separator = process.argv.indexOf("--")
if (separator === -1) throw new Error("usage: measure-start.mjs [--service S] [--runs N] [--requests N] -- command...")
const { values } = parseArgs({
  args: process.argv.slice(2, separator),
  options: {
    service: { type: "string", default: "cash-register" },
    runs: { type: "string", default: "3" },
    requests: { type: "string", default: "2000" },
    concurrency: { type: "string", default: "16" },
    settle: { type: "string", default: "15" }
  }
})
const [command, ...commandArgs] = process.argv.slice(separator + 1)
if (!process.env.DATABASE_URL) throw new Error("set DATABASE_URL to a seeded PostgreSQL database")

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer()
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** VmRSS and VmHWM (peak) of a process, in MB. */
const memoryOf = (pid) => {
  const status = readFileSync(`/proc/${pid}/status`, "utf8")
  const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1])
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 }
}

const waitReady = async (url, child, started) => {
  let last = "no answer"
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited ${child.exitCode} before ready`)
    try {
      // a time limit: a connection accepted before the server serves would wait for ever
      const response = await fetch(url, { signal: AbortSignal.timeout(250) })
      last = `${response.status} ${await response.text()}`
      if (response.status === 200) return performance.now() - started
    } catch (error) {
      last = String(error.cause ?? error) // not listening (or not serving) yet
      if (process.env.MEASURE_DEBUG) console.error(`${(performance.now() - started).toFixed(0)} ms: ${last}`)
    }
    if (performance.now() - started > 60_000) throw new Error(`${url} not ready after 60 s (${last})`)
    await sleep(10)
  }
}

const burst = async (requests, concurrency, request) => {
  let next = 0
  let failed = 0
  const worker = async () => {
    while (next < requests) {
      const i = next++
      const response = await request(i)
      await response.arrayBuffer()
      if (!response.ok) failed++
    }
  }
  const started = performance.now()
  await Promise.all(Array.from({ length: concurrency }, worker))
  return { ms: performance.now() - started, failed }
}

const json = async (url) => (await fetch(url)).json()

const measure = async () => {
  const [crPort, saPort] = [await freePort(), await freePort()]
  const child = spawn(command, commandArgs, {
    env: {
      ...process.env,
      CASH_REGISTER_PORT: String(crPort),
      STORE_ANALYTICS_PORT: String(saPort),
      HOST: "127.0.0.1",
      LOG_DIR: "",
      OTEL_SDK_DISABLED: "true"
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true
  })
  let output = ""
  child.stdout.on("data", (chunk) => (output += chunk))
  child.stderr.on("data", (chunk) => (output += chunk))
  const started = performance.now()
  try {
    const cr = `http://127.0.0.1:${crPort}`
    const sa = `http://127.0.0.1:${saPort}`
    const readyUrls = values.service === "app"
      ? [`${cr}/ready`, `${sa}/ready`]
      : [`${values.service === "store-analytics" ? sa : cr}/ready`]
    const readyMs = Math.max(...(await Promise.all(readyUrls.map((url) => waitReady(url, child, started)))))
    await sleep(2000)
    const idle = memoryOf(child.pid)
    let request
    if (values.service === "store-analytics") {
      const paths = [
        "/analytics/customers",
        "/analytics/loyal-customers?min_purchases=3&limit=100",
        "/analytics/top-products?limit=3"
      ]
      request = (i) => fetch(`${sa}${paths[i % paths.length]}`)
    } else {
      const [branches, products] = await Promise.all([json(`${cr}/branches`), json(`${cr}/products`)])
      request = (i) =>
        fetch(`${cr}/purchases`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            branch_id: branches[i % branches.length].id,
            user_id: randomUUID(),
            items: [{ product_id: products[i % products.length].id, quantity: 1 }]
          })
        })
    }
    const load = await burst(Number(values.requests), Number(values.concurrency), request)
    const loaded = memoryOf(child.pid)
    // V8 gives memory back once the process has been idle a while
    await sleep(Number(values.settle) * 1000)
    const settled = memoryOf(child.pid)
    return {
      readyMs,
      idle: idle.rss,
      loaded: loaded.rss,
      settled: settled.rss,
      peak: settled.peak,
      burstMs: load.ms,
      failed: load.failed
    }
  } catch (error) {
    throw new Error(`${error.message}\n${output.slice(-4000)}`)
  } finally {
    if (process.env.MEASURE_DEBUG) console.error(output)
    // the whole process group: `npm run ...` leaves its child running when only npm is signalled
    const signal = (name) => {
      try {
        process.kill(-child.pid, name)
        return true
      } catch {
        return false
      }
    }
    signal("SIGTERM")
    while (signal(0)) await sleep(50)
  }
}

const results = []
for (let run = 1; run <= Number(values.runs); run++) {
  const r = await measure()
  results.push(r)
  console.log(
    `run ${run}: ready ${r.readyMs.toFixed(0)} ms, RSS idle ${r.idle.toFixed(0)} MB, ` +
      `after ${values.requests} requests ${r.loaded.toFixed(0)} MB, ${values.settle} s later ${
        r.settled.toFixed(0)
      } MB ` +
      `(peak ${r.peak.toFixed(0)} MB; burst ${r.burstMs.toFixed(0)} ms, ${r.failed} failed)`
  )
}
const range = (key, digits = 0) => {
  const xs = results.map((r) => r[key])
  return `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`
}
console.log(
  `${values.service}: ready ${range("readyMs")} ms, RSS idle ${range("idle")} MB, ` +
    `after burst ${range("loaded")} MB, ` +
    `${values.settle} s later ${range("settled")} MB, peak ${range("peak")} MB`
)
