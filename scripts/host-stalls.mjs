// How often this machine takes the CPU away from a running thread: one thread per core (or
// --threads N) spins for --seconds, reading the clock, and every gap over 0.2 ms between two
// readings is a stall (the kernel, the hypervisor, another process). A host whose busy threads
// stall for several milliseconds cannot answer every request within 5 ms at p99, whatever the
// server; docs/PERFORMANCE.md reports it beside the analytics figures.
//
//   node scripts/host-stalls.mjs [--seconds 5] [--threads 2]
import { availableParallelism } from "node:os"
import { parseArgs } from "node:util"
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads"

const STALL_MS = 0.2

if (isMainThread) {
  const { values } = parseArgs({
    options: { seconds: { type: "string", default: "5" }, threads: { type: "string", default: "" } }
  })
  const seconds = Number(values.seconds)
  const threads = values.threads === "" ? availableParallelism() : Number(values.threads)
  const results = await Promise.all(
    Array.from({ length: threads }, () =>
      new Promise((resolve, reject) => {
        const worker = new Worker(new URL(import.meta.url), { workerData: { seconds } })
        worker.once("message", resolve)
        worker.once("error", reject)
      }))
  )
  for (const [i, { stalls, stalledMs, longestMs, over1, over5 }] of results.entries()) {
    console.log(
      `thread ${i + 1}: ${stalls} stalls over ${STALL_MS} ms, ${stalledMs.toFixed(1)} ms stalled of ${
        seconds * 1000
      } (${(stalledMs / (seconds * 10)).toFixed(2)}%), longest ${
        longestMs.toFixed(2)
      } ms, ${over1} over 1 ms, ${over5} over 5 ms`
    )
  }
} else {
  const gaps = []
  let last = performance.now()
  const end = last + workerData.seconds * 1000
  for (;;) {
    const now = performance.now()
    if (now - last > STALL_MS) gaps.push(now - last)
    last = now
    if (now > end) break
  }
  parentPort.postMessage({
    stalls: gaps.length,
    stalledMs: gaps.reduce((sum, gap) => sum + gap, 0),
    longestMs: gaps.length === 0 ? 0 : Math.max(...gaps),
    over1: gaps.filter((gap) => gap > 1).length,
    over5: gaps.filter((gap) => gap > 5).length
  })
}
