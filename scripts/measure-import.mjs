// Times an import of iCash files on a fresh PostgreSQL database, the way docs/PERFORMANCE.md
// ("Import") reports it: the seed's wall time, CPU and peak RSS (from /usr/bin/time), and the CPU
// all PostgreSQL processes spent meanwhile (from /proc, sampled every 200 ms: count it only on a
// machine where nothing else uses the database). Each run drops and recreates the database.
//
//   npm run generate -- --purchases 1000000 --customers 200000 --out /tmp/gen1m
//   node scripts/measure-import.mjs --dir /tmp/gen1m --runs 2 [--seed dist/seed.js]
//
// --seed may name the seed.js of another build (a worktree's dist/) to compare two in one sitting.
import { spawn } from "node:child_process"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { parseArgs } from "node:util"
import pg from "pg"

const { values } = parseArgs({
  options: {
    dir: { type: "string" },
    runs: { type: "string", default: "1" },
    seed: { type: "string", default: "dist/seed.js" },
    database: { type: "string", default: "icash_import_measure" }
  }
})
if (values.dir === undefined) throw new Error("usage: measure-import.mjs --dir DIR [--runs N] [--seed dist/seed.js]")
const server = new URL(process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres")
const target = new URL(server.href)
target.pathname = `/${values.database}`

const ticksPerSecond = 100
/** CPU seconds so far of every process named postgres, by pid. */
const postgresCpu = () => {
  const byPid = new Map()
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, "utf8").trim() !== "postgres") continue
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ")
      byPid.set(pid, (Number(fields[11]) + Number(fields[12])) / ticksPerSecond)
    } catch {
      // the process ended meanwhile
    }
  }
  return byPid
}

const freshDatabase = async () => {
  const admin = new pg.Client({ connectionString: server.href })
  await admin.connect()
  await admin.query(`DROP DATABASE IF EXISTS "${values.database}" WITH (FORCE)`)
  await admin.end()
}

const run = async () => {
  await freshDatabase()
  const before = postgresCpu()
  const last = new Map(before)
  const sampler = setInterval(() => {
    for (const [pid, cpu] of postgresCpu()) last.set(pid, cpu)
  }, 200)
  const load = readFileSync("/proc/loadavg", "utf8").split(" ")[0]
  const args = [
    "-f",
    "%e %U %S %M",
    process.execPath,
    values.seed,
    "--products",
    join(values.dir, "Products_list.csv"),
    "--purchases",
    join(values.dir, "Purchases.csv")
  ]
  const child = spawn("/usr/bin/time", args, {
    env: { ...process.env, DATABASE_URL: target.href, LOG_LEVEL: "Warn" },
    stdio: ["ignore", "ignore", "pipe"]
  })
  let stderr = ""
  child.stderr.on("data", (chunk) => (stderr += chunk))
  const code = await new Promise((resolve) => child.on("close", resolve))
  clearInterval(sampler)
  for (const [pid, cpu] of postgresCpu()) last.set(pid, cpu)
  if (code !== 0) throw new Error(`the seed failed (${code}):\n${stderr}`)
  const [wall, user, system, maxKb] = stderr.trim().split("\n").at(-1).split(" ").map(Number)
  let postgres = 0
  for (const [pid, cpu] of last) postgres += cpu - (before.get(pid) ?? 0)
  console.log(
    `wall ${wall.toFixed(1)} s, seed CPU ${(user + system).toFixed(1)} s, seed peak RSS ${
      (maxKb / 1024).toFixed(0)
    } MB, ` +
      `PostgreSQL CPU ${postgres.toFixed(1)} s (load ${load} -> ${readFileSync("/proc/loadavg", "utf8").split(" ")[0]})`
  )
}

for (let i = 0; i < Number(values.runs); i++) await run()
await freshDatabase()
