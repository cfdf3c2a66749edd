import { Effect, Metric, Schedule } from "effect"
import type pg from "pg"

const connections = Metric.gauge("db.client.connection.count", {
  description: "Connections of the database pool, by state (idle or used)"
})
const pending = Metric.gauge("db.client.connection.pending_requests", {
  description: "Queries waiting for a free connection of the database pool"
})
const maximum = Metric.gauge("db.client.connection.max", { description: "Most connections the pool may open" })

/** Samples the pool's usage every few seconds into gauges, for as long as the scope lives. */
export const trackPoolUsage = (pool: pg.Pool) =>
  Effect.gen(function*() {
    yield* Metric.set(connections.pipe(Metric.tagged("state", "idle")), pool.idleCount)
    yield* Metric.set(connections.pipe(Metric.tagged("state", "used")), pool.totalCount - pool.idleCount)
    yield* Metric.set(pending, pool.waitingCount)
    yield* Metric.set(maximum, pool.options.max ?? 10)
  }).pipe(Effect.repeat(Schedule.spaced("5 seconds")), Effect.forkScoped, Effect.asVoid)
