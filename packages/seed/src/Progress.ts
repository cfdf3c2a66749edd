import { Context, type Duration, Effect, type Scope } from "effect"

/** How far a long task has come, told as it goes: cheap enough to call for every chunk of a file. */
export interface ProgressTracker {
  /** `done` units of the task's total (bytes of a file, purchases), and the rows handled so far. */
  readonly update: (done: number, rows: number) => void
}

export interface ProgressReporter {
  /** Shows a task of `total` units for as long as the scope is open. */
  readonly start: (task: string, total: number) => Effect.Effect<ProgressTracker, never, Scope.Scope>
}

/** Where the import shows its progress: nowhere unless a program says (the seed's main does). */
export class ImportProgress extends Context.Reference<ImportProgress>()("seed/ImportProgress", {
  defaultValue: (): ProgressReporter => ({ start: () => Effect.succeed({ update: () => {} }) })
}) {}

/** A task's progress so far, with its rate and the time left at that rate. */
export class ProgressState implements ProgressTracker {
  done = 0
  rows = 0
  private readonly started = performance.now()

  constructor(readonly total: number) {}

  readonly update = (done: number, rows: number) => {
    this.done = done
    this.rows = rows
  }

  get seconds(): number {
    return (performance.now() - this.started) / 1000
  }

  get rowsPerSecond(): number {
    return this.seconds > 0 ? Math.round(this.rows / this.seconds) : 0
  }

  get percent(): number {
    return this.total > 0 ? Math.min(100, Math.floor((this.done / this.total) * 100)) : 100
  }

  /** Seconds left at the average pace so far; undefined before anything is done. */
  get etaSeconds(): number | undefined {
    return this.done > 0 ? Math.max(0, Math.round((this.seconds * (this.total - this.done)) / this.done)) : undefined
  }
}

/** Progress as log lines: one every `interval` while the task runs, and one when it ends. */
export const logProgress = (interval: Duration.DurationInput): ProgressReporter => ({
  start: (task, total) =>
    Effect.gen(function*() {
      const state = new ProgressState(total)
      const log = Effect.suspend(() =>
        Effect.logInfo(`${task}: ${state.percent}%`, {
          rows: state.rows,
          rows_per_second: state.rowsPerSecond,
          eta_seconds: state.etaSeconds ?? null
        })
      )
      yield* log.pipe(Effect.delay(interval), Effect.forever, Effect.forkScoped)
      yield* Effect.addFinalizer(() => log)
      return state
    })
})
