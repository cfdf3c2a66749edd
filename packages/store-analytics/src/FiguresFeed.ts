import type { LiveFigures } from "@icash/domain"
import { FIGURES_CHANNEL, Notifications } from "@icash/persistence"
import { Effect, Queue, Stream, SubscriptionRef } from "effect"
import { Analytics } from "./Analytics.js"

/** The least time between two reads of the figures: bursts of commits become a few events a second. */
export const FIGURES_MIN_INTERVAL = "250 millis"

/**
 * The chain's figures as they change. The database announces every commit that changes them on
 * `icash_figures`; the feed reads the figures again at once, then at most every 250 ms while
 * changes keep coming, and publishes them when their version moved. One feed serves every
 * `/analytics/stream` client of the process.
 */
export class FiguresFeed extends Effect.Service<FiguresFeed>()("store-analytics/FiguresFeed", {
  scoped: Effect.gen(function*() {
    const analytics = yield* Analytics
    const notifications = yield* Notifications
    const latest = yield* SubscriptionRef.make<LiveFigures | undefined>(undefined)
    // a pending change, at most one: a burst of notifications is one read
    const changed = yield* Queue.sliding<void>(1)

    const read = analytics.figures().pipe(
      Effect.flatMap((figures) =>
        SubscriptionRef.update(
          latest,
          (current) => current === undefined || figures.version !== current.version ? figures : current
        )
      ),
      Effect.catchAllCause((cause) => Effect.logWarning("could not read the live figures", cause)),
      Effect.withSpan("FiguresFeed.read")
    )

    // (re)starting to listen may have missed changes: that is a change too
    yield* notifications.listen(FIGURES_CHANNEL).pipe(
      Stream.runForEach(() => Queue.offer(changed, undefined)),
      Effect.forkScoped
    )
    yield* Queue.take(changed).pipe(
      Effect.zipRight(read),
      Effect.zipRight(Effect.sleep(FIGURES_MIN_INTERVAL)),
      Effect.forever,
      Effect.forkScoped
    )
    yield* Queue.offer(changed, undefined)

    return {
      /** The current figures first (once they were read), then each newer version. */
      changes: latest.changes.pipe(
        Stream.filter((figures): figures is LiveFigures => figures !== undefined),
        Stream.changesWith((a, b) => a.version === b.version)
      )
    } as const
  }),
  dependencies: [Analytics.Default]
}) {}
