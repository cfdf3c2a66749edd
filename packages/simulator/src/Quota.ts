import { Deferred, Effect, Option, Ref } from "effect"

interface State {
  readonly acknowledged: number
  readonly reserved: number
  /** Completed (and replaced) whenever a reserved purchase settles. */
  readonly settled: Deferred.Deferred<void>
}

/**
 * How many purchases may still be started so that exactly `count` are acknowledged: never more
 * under way than are missing, and a failed one frees its place for another. Without a count,
 * every purchase may start.
 */
export const makeQuota = (count: Option.Option<number>, stopping: Effect.Effect<void>) =>
  Effect.gen(function*() {
    const reached = yield* Deferred.make<void>()
    const state = yield* Ref.make<State>({ acknowledged: 0, reserved: 0, settled: yield* Deferred.make<void>() })
    const limit = Option.getOrElse(count, () => Infinity)

    /** A place for one more purchase: true, or false once the count is reached or the simulator stops. */
    const reserve: Effect.Effect<boolean> = Effect.flatMap(
      Ref.modify(state, (s): [boolean | Deferred.Deferred<void>, State] => {
        if (s.acknowledged >= limit) return [false, s]
        if (s.acknowledged + s.reserved < limit) return [true, { ...s, reserved: s.reserved + 1 }]
        return [s.settled, s]
      }),
      (answer) =>
        typeof answer === "boolean"
          ? Effect.succeed(answer)
          // every place is taken by a purchase under way: wait until one settles
          : Effect.raceFirst(Effect.zipRight(Deferred.await(answer), reserve), Effect.as(stopping, false))
    )

    /** Settles a reserved place: counted if the purchase was acknowledged, freed if it failed. */
    const settle = (acknowledged: boolean) =>
      Effect.gen(function*() {
        const next = yield* Deferred.make<void>()
        const before = yield* Ref.getAndUpdate(state, (s) => ({
          acknowledged: s.acknowledged + (acknowledged ? 1 : 0),
          reserved: s.reserved - 1,
          settled: next
        }))
        yield* Deferred.succeed(before.settled, undefined)
        if (acknowledged && before.acknowledged + 1 >= limit) yield* Deferred.succeed(reached, undefined)
      })

    return { reserve, settle, reached: Deferred.await(reached) } as const
  })

export type Quota = Effect.Effect.Success<ReturnType<typeof makeQuota>>
