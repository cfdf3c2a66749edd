// Times each request inside a Node HTTP server, from outside its code: load it with `--import`, and
// on SIGTERM it writes, per request whose path starts with REQUEST_TIMING_PREFIX (default
// /analytics), the milliseconds from Node's `request` event to `writeHead` (the answer leaving) and
// to the response's `finish`, one request a line, to REQUEST_TIMING_FILE; then it exits.
// docs/PERFORMANCE.md ("Figures (2026-11-27, night …)") compares Store Analytics and the floor so.
//
//   REQUEST_TIMING_FILE=/tmp/sa.txt node --import ./scripts/request-timing.mjs dist/store-analytics.js
//
// It replaces the service's own SIGTERM handling (no graceful drain): for measuring only.
import { writeFileSync } from "node:fs"
import http from "node:http"
import { performance } from "node:perf_hooks"

const file = process.env.REQUEST_TIMING_FILE
if (file === undefined || file === "") throw new Error("request-timing: set REQUEST_TIMING_FILE")
const prefix = process.env.REQUEST_TIMING_PREFIX ?? "/analytics"
const lines = []
const leftAt = new WeakMap()

const writeHead = http.ServerResponse.prototype.writeHead
http.ServerResponse.prototype.writeHead = function(...args) {
  leftAt.set(this, performance.now())
  return writeHead.apply(this, args)
}

const emit = http.Server.prototype.emit
http.Server.prototype.emit = function(event, request, response) {
  if (event === "request" && request.url.startsWith(prefix)) {
    const began = performance.now()
    response.once("finish", () => lines.push(`${leftAt.get(response) - began} ${performance.now() - began}`))
  }
  return emit.apply(this, arguments)
}

process.on("SIGTERM", () => {
  writeFileSync(file, `request_to_writehead_ms request_to_finish_ms\n${lines.join("\n")}\n`)
  process.exit(0)
})
