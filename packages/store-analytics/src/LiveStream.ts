import * as Sse from "@effect/experimental/Sse"
import { HttpServerResponse } from "@effect/platform"
import { LiveFigures } from "@icash/domain"
import { Shutdown } from "@icash/runtime"
import { Deferred, Duration, Effect, Option, Schedule, Schema, Stream } from "effect"
import { FiguresFeed } from "./FiguresFeed.js"

/** A comment line this often keeps proxies and browsers from closing an idle stream. */
const HEARTBEAT = Duration.seconds(15)

/** How long a browser waits before reconnecting a dropped stream. */
const RECONNECT = Duration.seconds(2)

const encodeFigures = Schema.encodeSync(Schema.parseJson(LiveFigures))

/**
 * `GET /analytics/stream`: the figures as server-sent events, each with its version as `id`. A
 * client that reconnects with the `Last-Event-ID` it last saw gets no repeat of the same figures.
 */
export const liveStream = (lastEventId: string | undefined) =>
  Effect.gen(function*() {
    const feed = yield* FiguresFeed
    // a stopping service ends its streams, so that its server can close (browsers reconnect elsewhere)
    const stopping = Option.match(yield* Effect.serviceOption(Shutdown), {
      onNone: () => Effect.never,
      onSome: (shutdown) => Deferred.await(shutdown.started)
    })
    const events = feed.changes.pipe(
      Stream.filter((figures) => String(figures.version) !== lastEventId),
      Stream.map((figures) =>
        Sse.encoder.write({
          _tag: "Event",
          event: "message",
          id: String(figures.version),
          data: encodeFigures(figures)
        })
      )
    )
    const heartbeats = Stream.fromSchedule(Schedule.spaced(HEARTBEAT)).pipe(Stream.as(": heartbeat\n\n"))
    const body = Stream.make(Sse.encoder.write(new Sse.Retry({ duration: RECONNECT, lastEventId: undefined }))).pipe(
      Stream.concat(Stream.merge(events, heartbeats, { haltStrategy: "either" })),
      Stream.interruptWhen(stopping),
      Stream.encodeText
    )
    return HttpServerResponse.stream(body, {
      contentType: "text/event-stream",
      headers: { "cache-control": "no-cache", "x-accel-buffering": "no" }
    })
  })
