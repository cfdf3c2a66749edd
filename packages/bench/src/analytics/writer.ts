/**
 * The purchases written while the analytics are measured: POST /purchases at a steady rate, each
 * request sent when it is due whether or not the previous ones were answered (up to a cap), as
 * cash registers ring purchases up independently of each other.
 */
import type { PurchaseBody } from "../requests.js"
import { type Headers, keepAliveAgent, postJson } from "./http.js"
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
const TICK_MS = 5

export interface Writer {
  /** Stops sending; resolves once every request sent was answered. */
  readonly stop: () => Promise<WriterResult>
}

export const startWriter = (url: string, rate: number, next: () => PurchaseBody, headers: Headers): Writer => {
  const agent = keepAliveAgent(32)
  const began = performance.now()
  const latencies: Array<number> = []
  const otherStatuses: Record<string, number> = {}
  const inFlight = new Set<Promise<void>>()
  let due = 0
  let sent = 0
  let created = 0
  let skipped = 0

  const fire = () => {
    sent++
    const request = postJson(agent, `${url}/purchases`, next(), headers).then((answer) => {
      latencies.push(answer.ms)
      if (answer.status === 201) created++
      else otherStatuses[answer.status ?? "none"] = (otherStatuses[answer.status ?? "none"] ?? 0) + 1
      inFlight.delete(request)
    })
    inFlight.add(request)
  }

  const timer = rate <= 0 ? undefined : setInterval(() => {
    const total = Math.floor(((performance.now() - began) / 1000) * rate)
    for (; due < total; due++) {
      if (inFlight.size < MAX_IN_FLIGHT) fire()
      else skipped++
    }
  }, TICK_MS)

  return {
    stop: async () => {
      clearInterval(timer)
      const seconds = (performance.now() - began) / 1000
      await Promise.all([...inFlight])
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
