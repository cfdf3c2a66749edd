import { Effect, Ref } from "effect"

/** What the registers did so far. `sent` counts purchases (a purchase and its retries count once). */
export interface Counts {
  readonly sent: number
  readonly acknowledged: number
  readonly failed: number
  readonly retries: number
  /** Failed purchases by reason, e.g. `{ "HTTP 503": 2 }`. */
  readonly failures: Readonly<Record<string, number>>
}

export const NO_COUNTS: Counts = { sent: 0, acknowledged: 0, failed: 0, retries: 0, failures: {} }

/** Purchases under way: sent, and neither acknowledged nor failed yet. */
export const inFlight = (counts: Counts) => counts.sent - counts.acknowledged - counts.failed

export const makeStats = Effect.map(Ref.make(NO_COUNTS), (ref) => ({
  counts: Ref.get(ref),
  sent: Ref.update(ref, (c) => ({ ...c, sent: c.sent + 1 })),
  acknowledged: Ref.update(ref, (c) => ({ ...c, acknowledged: c.acknowledged + 1 })),
  retried: Ref.update(ref, (c) => ({ ...c, retries: c.retries + 1 })),
  failed: (reason: string) =>
    Ref.update(ref, (c) => ({
      ...c,
      failed: c.failed + 1,
      failures: { ...c.failures, [reason]: (c.failures[reason] ?? 0) + 1 }
    }))
}))

export type Stats = Effect.Effect.Success<typeof makeStats>
