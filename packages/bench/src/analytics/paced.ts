/**
 * Requests sent at a steady rate, each when it is due whether or not the earlier ones were answered
 * (up to a cap), as independent clients send them: an open loop, so that a slow answer delays no
 * other request and the latencies are the server's, not the load generator's. (autocannon's rate
 * option sends each second's requests back to back at its start, a burst that queues them.)
 */
import type { Answer } from "./http.js"

const TICK_MS = 2

export interface PacedResult {
  readonly rate: number
  readonly seconds: number
  readonly sent: number
  /** Requests not sent when due because `maxInFlight` were unanswered. */
  readonly skipped: number
}

export interface Paced {
  /** Stops sending; resolves once every request sent was answered. */
  readonly stop: () => Promise<PacedResult>
}

export const startPaced = (options: {
  readonly rate: number
  readonly maxInFlight: number
  readonly send: () => Promise<Answer>
  readonly onAnswer: (answer: Answer) => void
}): Paced => {
  const began = performance.now()
  const inFlight = new Set<Promise<void>>()
  let due = 0
  let sent = 0
  let skipped = 0

  const fire = () => {
    sent++
    const request = options.send().then((answer) => {
      options.onAnswer(answer)
      inFlight.delete(request)
    })
    inFlight.add(request)
  }

  const timer = options.rate <= 0 ? undefined : setInterval(() => {
    const total = Math.floor(((performance.now() - began) / 1000) * options.rate)
    for (; due < total; due++) {
      if (inFlight.size < options.maxInFlight) fire()
      else skipped++
    }
  }, TICK_MS)

  return {
    stop: async () => {
      clearInterval(timer)
      const seconds = (performance.now() - began) / 1000
      await Promise.all([...inFlight])
      return { rate: options.rate, seconds, sent, skipped }
    }
  }
}
