/**
 * The purchases written while the analytics are measured: POST /purchases at a steady rate, each
 * request sent when it is due whether or not the previous ones were answered (up to a cap), as
 * cash registers ring purchases up independently of each other.
 */
import type { PurchaseBody } from "../requests.js"
import { type Headers, keepAliveAgent, postJson } from "./http.js"
import { startPaced } from "./paced.js"
import { type Latency, summarizeLatencies } from "./stats.js"

export interface WriterResult {
  readonly rate: number
  readonly seconds: number
  readonly sent: number
  readonly created: number
  /** Answers other than 201, by status; "none" for a connection error or timeout. */
  readonly otherStatuses: Record<string, number>
  readonly errors: number
  /** Requests not sent when due because MAX_IN_FLIGHT were unanswered. */
  readonly skipped: number
  readonly latency: Latency
}

const MAX_IN_FLIGHT = 64

export interface Writer {
  /** Stops sending; resolves once every request sent was answered. */
  readonly stop: () => Promise<WriterResult>
}

export const startWriter = (url: string, rate: number, next: () => PurchaseBody, headers: Headers): Writer => {
  const agent = keepAliveAgent(32)
  const latencies: Array<number> = []
  const otherStatuses: Record<string, number> = {}
  let created = 0
  const paced = startPaced({
    rate,
    maxInFlight: MAX_IN_FLIGHT,
    send: () => postJson(agent, `${url}/purchases`, next(), headers),
    onAnswer: (answer) => {
      latencies.push(answer.ms)
      if (answer.status === 201) created++
      else otherStatuses[answer.status ?? "none"] = (otherStatuses[answer.status ?? "none"] ?? 0) + 1
    }
  })
  return {
    stop: async () => {
      const { seconds, sent, skipped } = await paced.stop()
      agent.destroy()
      return {
        rate,
        seconds,
        sent,
        created,
        otherStatuses,
        errors: sent - created,
        skipped,
        latency: summarizeLatencies(latencies)
      }
    }
  }
}
