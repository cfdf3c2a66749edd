import cliProgress from "cli-progress"
import { Effect } from "effect"
import { type ProgressReporter, ProgressState } from "./Progress.js"

const number = new Intl.NumberFormat("en-US")

const formatSeconds = (seconds: number | undefined) =>
  seconds === undefined ? "-" : seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m${seconds % 60}s`

/** Progress as a bar on a terminal (cli-progress): percentage, rows, rows per second and time left. */
export const progressBar = (stream: NodeJS.WriteStream): ProgressReporter => ({
  start: (task, total) =>
    Effect.acquireRelease(
      Effect.sync(() => {
        const bar = new cliProgress.SingleBar({
          format: `${task} [{bar}] {percentage}% | {rows} rows | {speed} rows/s | ETA {remaining}`,
          stream,
          fps: 5,
          hideCursor: true,
          barsize: 30
        }, cliProgress.Presets.shades_classic)
        bar.start(total, 0, { rows: 0, speed: 0, remaining: "-" })
        return bar
      }),
      (bar) => Effect.sync(() => bar.stop())
    ).pipe(Effect.map((bar) => {
      const state = new ProgressState(total)
      return {
        update: (done: number, rows: number) => {
          state.update(done, rows)
          bar.update(done, {
            rows: number.format(rows),
            speed: number.format(state.rowsPerSecond),
            remaining: formatSeconds(state.etaSeconds)
          })
        }
      }
    }))
})
