import { LiveFigures } from "@icash/domain"
import { Either, Schema } from "effect"
import { useEffect, useState } from "react"

/** Where the page stands with /analytics/stream. */
export type LiveStatus = "connecting" | "live" | "reconnecting"

export interface LiveState {
  readonly status: LiveStatus
  /** The latest figures the stream sent; null until the first event. */
  readonly figures: LiveFigures | null
  /** When the last event arrived. */
  readonly receivedAt: Date | null
  /**
   * How many times the figures changed after the first event: views that fetch more than the stream
   * carries (charts, tables) refetch when it moves.
   */
  readonly changes: number
}

const decodeFigures = Schema.decodeUnknownEither(Schema.parseJson(LiveFigures))

/** Waits before opening a new connection after a failed one: 1 s, 2 s, 4 s, ... up to 15 s. */
const backoff = (attempt: number) => Math.min(15_000, 1000 * 2 ** attempt)

/**
 * The chain's live figures from Store Analytics' server-sent events (each event's data decoded with
 * the domain's LiveFigures schema). The browser's EventSource reconnects by itself after a dropped
 * connection (sending Last-Event-ID); when it gives up (an error status, the service down at
 * connect), a new EventSource is opened with a growing delay.
 */
export const useLiveFigures = (storeAnalyticsUrl: string): LiveState => {
  const [state, setState] = useState<LiveState>({ status: "connecting", figures: null, receivedAt: null, changes: 0 })

  useEffect(() => {
    let source: EventSource | undefined
    let retry: ReturnType<typeof setTimeout> | undefined
    let attempt = 0
    let stopped = false

    const connect = () => {
      const current = new EventSource(`${storeAnalyticsUrl}/analytics/stream`)
      source = current
      current.onopen = () => {
        attempt = 0
        setState((s) => ({ ...s, status: "live" }))
      }
      current.onmessage = (event: MessageEvent<string>) => {
        const decoded = decodeFigures(event.data)
        if (Either.isLeft(decoded)) {
          console.warn("ignored a live event that is not LiveFigures", decoded.left.message)
          return
        }
        const figures = decoded.right
        setState((s) => ({
          status: "live",
          figures,
          receivedAt: new Date(),
          changes: s.figures !== null && s.figures.version !== figures.version ? s.changes + 1 : s.changes
        }))
      }
      current.onerror = () => {
        if (stopped || source !== current) return
        setState((s) => ({ ...s, status: "reconnecting" }))
        if (current.readyState === EventSource.CLOSED) {
          // the browser gave up on this one: try again ourselves, later and later
          current.close()
          retry = setTimeout(connect, backoff(attempt++))
        }
      }
    }

    connect()
    return () => {
      stopped = true
      clearTimeout(retry)
      source?.close()
    }
  }, [storeAnalyticsUrl])

  return state
}
