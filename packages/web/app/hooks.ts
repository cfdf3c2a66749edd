import { Cause, type Effect, Exit } from "effect"
import { type DependencyList, useCallback, useEffect, useRef, useState } from "react"
import { runtime } from "./services.js"

/**
 * What a request gave: loading (nothing yet), a value (maybe being refreshed), or a failure (with
 * the last value, if there was one, so that a view can keep showing it).
 */
export type Result<A> =
  | { readonly _tag: "Loading" }
  | { readonly _tag: "Success"; readonly value: A; readonly refreshing: boolean }
  | { readonly _tag: "Failure"; readonly error: unknown; readonly previous: A | undefined }

/** A Result with a way to run its request again. */
export type Reloadable<A> = Result<A> & { readonly reload: () => void }

export const valueOf = <A>(result: Result<A>): A | undefined =>
  result._tag === "Success" ? result.value : result._tag === "Failure" ? result.previous : undefined

/**
 * Runs `make()`'s Effect whenever `deps` change (or `reload` is called), interrupting the previous
 * run; the last value stays visible while the next one loads.
 */
export const useEffectResult = <A, E>(
  make: () => Effect.Effect<A, E, never>,
  deps: DependencyList
): Reloadable<A> => {
  const [result, setResult] = useState<Result<A>>({ _tag: "Loading" })
  const [reloads, setReloads] = useState(0)
  const makeRef = useRef(make)
  makeRef.current = make

  useEffect(() => {
    const controller = new AbortController()
    setResult((previous) => {
      const value = valueOf(previous)
      return value === undefined ? { _tag: "Loading" } : { _tag: "Success", value, refreshing: true }
    })
    runtime.runPromiseExit(makeRef.current(), { signal: controller.signal }).then((exit) => {
      if (controller.signal.aborted) return
      if (Exit.isSuccess(exit)) {
        setResult({ _tag: "Success", value: exit.value, refreshing: false })
      } else if (!Cause.isInterruptedOnly(exit.cause)) {
        setResult((previous) => ({ _tag: "Failure", error: Cause.squash(exit.cause), previous: valueOf(previous) }))
      }
    })
    return () => controller.abort()
  }, [...deps, reloads])

  const reload = useCallback(() => setReloads((n) => n + 1), [])
  return { ...result, reload }
}

/**
 * `value`, but changing at most once per `ms`: the first change at once, later ones at the end of
 * the interval (the last one always comes through).
 */
export const useThrottled = <A>(value: A, ms: number): A => {
  const [throttled, setThrottled] = useState(value)
  const lastEmit = useRef(0)
  useEffect(() => {
    const wait = lastEmit.current + ms - Date.now()
    if (wait <= 0) {
      lastEmit.current = Date.now()
      setThrottled(value)
      return
    }
    const timer = setTimeout(() => {
      lastEmit.current = Date.now()
      setThrottled(value)
    }, wait)
    return () => clearTimeout(timer)
  }, [value, ms])
  return throttled
}

/** A value in localStorage (the cashier's branch survives a reload); falls back when storage is unavailable. */
export const useStoredState = (key: string, initial: string): [string, (value: string) => void] => {
  const [value, setValue] = useState(() => {
    try {
      return window.localStorage.getItem(key) ?? initial
    } catch {
      return initial
    }
  })
  const set = useCallback((next: string) => {
    setValue(next)
    try {
      window.localStorage.setItem(key, next)
    } catch {
      // private mode: the choice lasts until the page is closed
    }
  }, [key])
  return [value, set]
}
