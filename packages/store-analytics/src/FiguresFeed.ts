import type { LiveFigures } from "@icash/domain"
import { FIGURES_CHANNEL, Notifications } from "@icash/persistence"
import { Effect, Stream, SubscriptionRef } from "effect"
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

    // Every element is a change, (re)starting to listen included: it may have missed some. While
    // the feed reads and then waits, the notifications that arrive are kept as one (see
    // Notifications), so a burst of commits is one read and wakes this fiber once.
    yield* notifications.listen(FIGURES_CHANNEL).pipe(
      Stream.runForEach(() => Effect.zipRight(read, Effect.sleep(FIGURES_MIN_INTERVAL))),
      Effect.forkScoped
    )

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
