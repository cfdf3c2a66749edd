// Times each request inside a Node HTTP server, from outside its code: load it with `--import`, and
// on SIGTERM it writes, per request whose path starts with REQUEST_TIMING_PREFIX (default
// /analytics), the milliseconds from Node's `request` event to `writeHead` (the answer leaving), to
// the response's `finish`, and how many of those the garbage collector held the thread, one
// request a line, to REQUEST_TIMING_FILE; then it exits.
// docs/PERFORMANCE.md ("Figures (2026-11-27, night …)" and "… early morning …") compares Store
// Analytics and the floor so.
//
//   REQUEST_TIMING_FILE=/tmp/sa.txt node --import ./scripts/request-timing.mjs dist/store-analytics.js
//
// It replaces the service's own SIGTERM handling (no graceful drain): for measuring only.
import { writeFileSync } from "node:fs"
import http from "node:http"
import { performance, PerformanceObserver } from "node:perf_hooks"

const file = process.env.REQUEST_TIMING_FILE
if (file === undefined || file === "") throw new Error("request-timing: set REQUEST_TIMING_FILE")
const prefix = process.env.REQUEST_TIMING_PREFIX ?? "/analytics"
const requests = []
const leftAt = new WeakMap()
/** Every collection's [start, end], in performance.now() time. */
const collections = []
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) collections.push([entry.startTime, entry.startTime + entry.duration])
}).observe({ entryTypes: ["gc"] })

const writeHead = http.ServerResponse.prototype.writeHead
http.ServerResponse.prototype.writeHead = function(...args) {
  leftAt.set(this, performance.now())
  return writeHead.apply(this, args)
}

const emit = http.Server.prototype.emit
http.Server.prototype.emit = function(event, request, response) {
  if (event === "request" && request.url.startsWith(prefix)) {
    const began = performance.now()
    response.once("finish", () => requests.push([began, leftAt.get(response), performance.now()]))
  }
  return emit.apply(this, arguments)
}

const collectedDuring = (from, to) => {
  let ms = 0
  for (const [start, end] of collections) ms += Math.max(0, Math.min(end, to) - Math.max(start, from))
  return ms
}

process.on("SIGTERM", () => {
  const lines = requests.map(([began, left, finished]) =>
    `${left - began} ${finished - began} ${collectedDuring(began, finished)}`
  )
  writeFileSync(file, `request_to_writehead_ms request_to_finish_ms gc_ms\n${lines.join("\n")}\n`)
  process.exit(0)
})
