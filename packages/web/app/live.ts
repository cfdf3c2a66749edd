import { LiveFigures } from "@icash/domain"
import { Either, Option, Schema } from "effect"
import { EventSource, type FetchLike } from "eventsource"
import { useEffect, useState } from "react"

/** Where the page stands with /analytics/stream; `refused` when the key may not read it (403). */
export type LiveStatus = "connecting" | "live" | "reconnecting" | "refused"

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
  /** Why the stream refused the key, in the server's words (status `refused`). */
  readonly refusal: string | null
}

const decodeFigures = Schema.decodeUnknownEither(Schema.parseJson(LiveFigures))
const decodeRefusal = Schema.decodeUnknownOption(Schema.parseJson(Schema.Struct({ message: Schema.String })))

/** Waits before opening a new connection after a failed one: 1 s, 2 s, 4 s, ... up to 15 s. */
const backoff = (attempt: number) => Math.min(15_000, 1000 * 2 ** attempt)

/**
 * The chain's live figures from Store Analytics' server-sent events (each event's data decoded with
 * the domain's LiveFigures schema). The browser's own EventSource cannot send the API key, so this is
 * the `eventsource` package's, whose `fetch` adds it. It reconnects by itself after a dropped
 * connection (sending Last-Event-ID); when it gives up (an error status), a new one is opened with a
 * growing delay, except on a refused key: a 401 signs the page out, a 403 is shown, neither retried.
 */
export const useLiveFigures = (
  storeAnalyticsUrl: string,
  apiKey: string,
  signOut: (message: string) => void
): LiveState => {
  const [state, setState] = useState<LiveState>({
    status: "connecting",
    figures: null,
    receivedAt: null,
    changes: 0,
    refusal: null
  })

  useEffect(() => {
    let source: EventSource | undefined
    let retry: ReturnType<typeof setTimeout> | undefined
    let attempt = 0
    let stopped = false
    // the server's words with the last 401 or 403, which the error event does not carry
    let refusal = ""

    const fetchWithKey: FetchLike = async (url, init) => {
      const response = await fetch(url, { ...init, headers: { ...init.headers, authorization: `Bearer ${apiKey}` } })
      if (response.status === 401 || response.status === 403) {
        refusal = Option.match(decodeRefusal(await response.clone().text()), {
          onNone: () => `the API key was refused (${response.status})`,
          onSome: (body) => body.message
        })
      }
      return response
    }

    const connect = () => {
      const current = new EventSource(`${storeAnalyticsUrl}/analytics/stream`, { fetch: fetchWithKey })
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
          ...s,
          status: "live",
          figures,
          receivedAt: new Date(),
          changes: s.figures !== null && s.figures.version !== figures.version ? s.changes + 1 : s.changes
        }))
      }
      current.onerror = (event) => {
        if (stopped || source !== current) return
        if (event.code === 401) return signOut(refusal)
        if (event.code === 403) return setState((s) => ({ ...s, status: "refused", refusal }))
        setState((s) => ({ ...s, status: "reconnecting" }))
        if (current.readyState === EventSource.CLOSED) {
          // it gave up on this one: try again ourselves, later and later
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
  }, [storeAnalyticsUrl, apiKey, signOut])

  return state
}
