import { Clock, Console, Duration, Effect } from "effect"
import { type Counts, inFlight } from "./Stats.js"

/**
 * How progress is shown: `live`, one status line redrawn in place (a terminal); `lines`, a plain
 * line now and then (a pipe, a log file, or next to the servers' logs in `npm start`).
 */
export type StatusMode =
  | { readonly _tag: "live" }
  | { readonly _tag: "lines"; readonly every: Duration.Duration }

/** `live` on a terminal, a line every 5 seconds otherwise. */
export const statusModeFor = (stream: { readonly isTTY?: boolean }): StatusMode =>
  stream.isTTY === true ? { _tag: "live" } : { _tag: "lines", every: Duration.seconds(5) }

const clock = (millis: number) => {
  const seconds = Math.floor(millis / 1000)
  const hours = Math.floor(seconds / 3600)
  const mmss = `${String(Math.floor(seconds / 60) % 60).padStart(2, "0")}:${String(seconds % 60).padStart(2, "0")}`
  return hours > 0 ? `${hours}:${mmss}` : mmss
}

/** `00:12  sent 60  acknowledged 59  failed 0  in flight 1  4.9/s` */
export const statusLine = (counts: Counts, elapsedMillis: number, rate: number) =>
  [
    clock(elapsedMillis),
    `sent ${counts.sent}`,
    `acknowledged ${counts.acknowledged}`,
    `failed ${counts.failed}`,
    `in flight ${inFlight(counts)}`,
    `${rate.toFixed(1)}/s`
  ].join("  ")

/** The acknowledged purchases per second over the last few seconds. */
const recentRate = (window: number, startedAt: number) => {
  const samples: Array<{ readonly at: number; readonly acknowledged: number }> = [{ at: startedAt, acknowledged: 0 }]
  return (at: number, acknowledged: number) => {
    samples.push({ at, acknowledged })
    // the oldest sample kept is the last one before the window: a rate over a little more than `window`
    while (samples.length > 2 && samples[1]!.at <= at - window) samples.shift()
    const first = samples[0]!
    return at > first.at ? ((acknowledged - first.acknowledged) * 1000) / (at - first.at) : 0
  }
}

const CLEAR_LINE = "\r\x1b[2K"

const write = (text: string) => Effect.sync(() => void process.stdout.write(text))

/** Shows the counts until interrupted, from `startedAt` (epoch millis). */
export const showStatus = (mode: StatusMode, counts: Effect.Effect<Counts>, startedAt: number) => {
  const rate = recentRate(5000, startedAt)
  const show = Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    const current = yield* counts
    const line = statusLine(current, now - startedAt, rate(now, current.acknowledged))
    yield* mode._tag === "live" ? write(`${CLEAR_LINE}${line}`) : Console.log(`simulator: ${line}`)
  })
  const every = mode._tag === "live" ? Duration.millis(250) : mode.every
  return Effect.forever(Effect.delay(show, every)).pipe(
    Effect.onInterrupt(() => (mode._tag === "live" ? write(CLEAR_LINE) : Effect.void))
  )
}
