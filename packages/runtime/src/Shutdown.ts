import { HttpApiBuilder, type HttpApp, HttpServerResponse } from "@effect/platform"
import { ServiceUnavailable } from "@icash/domain"
import { Config, Context, Deferred, Duration, Effect, Layer, Option, Schedule } from "effect"
import type * as http from "node:http"

/**
 * A service stopping gracefully (SIGTERM, Ctrl-C): it stops taking requests, lets those in flight
 * finish (for at most SHUTDOWN_GRACE_PERIOD, default 10 seconds), ends its live streams, and only
 * then closes its server and its database pool.
 */
export class Shutdown extends Context.Tag("runtime/Shutdown")<Shutdown, {
  /** Completes when the service starts to stop: live streams end on it. */
  readonly started: Deferred.Deferred<void>
  /** Counts a request in flight, or refuses it (503, closing the connection) once stopping. */
  readonly track: <E, R>(app: HttpApp.Default<E, R>) => HttpApp.Default<E, R>
  /** The HTTP server to close once drained. */
  readonly attach: (server: http.Server) => void
  /**
   * Starts stopping, waits for the requests in flight (within the grace period), then closes the
   * server and every connection it still has, so that no request can slip in unanswered.
   */
  readonly drain: Effect.Effect<void>
}>() {}

const refused = HttpServerResponse.unsafeJson(
  new ServiceUnavailable({ message: "the service is shutting down; retry on another instance or in a moment" }),
  { status: 503, headers: { connection: "close" } }
)

export const ShutdownLive = Layer.effect(
  Shutdown,
  Effect.gen(function*() {
    const grace = yield* Config.duration("SHUTDOWN_GRACE_PERIOD").pipe(Config.withDefault(Duration.seconds(10)))
    const started = yield* Deferred.make<void>()
    let inFlight = 0
    let stopping = false
    const servers: Array<http.Server> = []
    const track = <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R> => {
      const counted = Effect.ensuring(app, Effect.sync(() => inFlight--))
      return Effect.suspend(() => {
        if (stopping) return Effect.succeed(refused)
        inFlight++
        return counted
      })
    }
    let connections = 0
    const attach = (server: http.Server) => {
      servers.push(server)
      server.on("connection", (socket) => {
        connections++
        socket.once("close", () => connections--)
      })
    }
    const drain = Effect.gen(function*() {
      stopping = true
      yield* Deferred.succeed(started, undefined)
      // no new connections; the idle ones close now, the others once their request is answered
      for (const server of servers) server.close()
      if (inFlight > 0) {
        yield* Effect.logInfo("stopping: letting the requests in flight finish", { in_flight: inFlight })
      }
      const finished = yield* Effect.sync(() => {
        for (const server of servers) server.closeIdleConnections()
        return inFlight === 0 && connections === 0
      }).pipe(
        Effect.repeat({ until: (done) => done, schedule: Schedule.spaced("20 millis") }),
        Effect.timeoutOption(grace)
      )
      if (finished._tag === "None") {
        yield* Effect.logWarning("stopping: the grace period ended with requests still in flight", {
          in_flight: inFlight
        })
        for (const server of servers) server.closeAllConnections()
      }
    })
    return { started, track, attach, drain }
  })
)

/**
 * The HttpApi middleware that counts requests in flight and refuses new ones while stopping; a
 * server built without `Shutdown` (in tests) is left as it is.
 */
export const ShutdownMiddlewareLive = HttpApiBuilder.middleware(
  Effect.map(
    Effect.serviceOption(Shutdown),
    Option.match({ onNone: () => (app: HttpApp.Default) => app, onSome: (shutdown) => shutdown.track })
  )
)

/** Built after the server, so released before it: drains it while it and the database still work. */
export const DrainOnStopLive = Layer.scopedDiscard(
  Effect.flatMap(Shutdown, (shutdown) => Effect.addFinalizer(() => shutdown.drain))
)
