/**
 * The measured stretch of the analytics part: purchases written at a steady rate throughout, each
 * endpoint driven alone, then the stream's lag; store-analytics' memory sampled and every process's
 * CPU counted over all of it.
 */
import type { AnalyticsOptions } from "../options.js"
import { cpuMs, cpuOfCommand, cpuSince, machineCpu, sampleResources, type Service } from "../processes.js"
import { type Catalogue, prng, purchaseStream } from "../requests.js"
import { type Endpoint, type EndpointResult, measureEndpoint } from "./endpoints.js"
import type { Headers } from "./http.js"
import { type AnalyticsResult, errorsOf } from "./report.js"
import { measureStreamLag } from "./stream.js"
import { startWriter } from "./writer.js"

const WRITER_STREAM = 0x51ed
const LAG_STREAM = 0x1a6

const describe = (endpoint: EndpointResult) => {
  const { floorPaced, name, paced, saturated } = endpoint
  return (
    `${name}: saturated ${saturated.requestsPerSecond.toFixed(0)} req/s, p50 ${saturated.latency.p50.toFixed(2)} ms, ` +
    `p99 ${saturated.latency.p99.toFixed(2)} ms; at ${paced.rate} req/s p50 ${paced.latency.p50.toFixed(2)} ms, ` +
    `p99 ${paced.latency.p99.toFixed(2)} ms, max ${paced.latency.max.toFixed(1)} ms (floor p50 ` +
    `${floorPaced.latency.p50.toFixed(2)} ms, p99 ${floorPaced.latency.p99.toFixed(2)} ms); ${
      errorsOf(endpoint)
    } errors`
  )
}

export const measureUnderWrites = async (input: {
  readonly options: AnalyticsOptions
  readonly seed: number
  readonly analytics: Service
  readonly register: Service
  /** The floor server on the same database (each endpoint is paced on it in turns with iCash). */
  readonly floor: Service
  readonly catalogue: Catalogue
  /** Customers who bought before: the writer's purchases leave the count of customers as it is. */
  readonly returning: ReadonlyArray<string>
  readonly endpoints: ReadonlyArray<Endpoint>
  readonly progress: (message: string) => void
  /** `authorization: Bearer <secret>` of the admin key every request is sent with. */
  readonly headers: Headers
}) => {
  const { options, analytics, register, progress } = input
  const machineBefore = machineCpu()
  const postgresBefore = cpuOfCommand("postgres")
  const benchBefore = process.cpuUsage()
  const registerBefore = cpuMs(register.pid)
  const floorBefore = cpuMs(input.floor.pid)
  const sampler = sampleResources(analytics.pid)
  const began = performance.now()
  const writer = startWriter(
    register.baseUrl,
    options.writeRate,
    purchaseStream(input.catalogue, input.returning, input.seed + WRITER_STREAM),
    input.headers
  )
  progress(
    `measuring ${input.endpoints.length} endpoints, ${options.warmup} s warm-up + ${options.seconds} s each at ` +
      `${options.connections} connections, saturated and then at ${options.rate} req/s in turns with the ` +
      `floor, while writing ${options.writeRate} purchases/s`
  )
  const endpoints: Array<EndpointResult> = []
  for (const endpoint of input.endpoints) {
    const result = await measureEndpoint(
      { icash: analytics.baseUrl, floor: input.floor.baseUrl },
      endpoint,
      options,
      input.headers
    )
    progress(describe(result))
    endpoints.push(result)
  }
  progress(`stream lag: ${options.streamSamples} purchases one at a time`)
  const stream = await measureStreamLag({
    analyticsUrl: analytics.baseUrl,
    registerUrl: register.baseUrl,
    catalogue: input.catalogue,
    samples: options.streamSamples,
    random: prng(input.seed + LAG_STREAM),
    headers: input.headers
  })
  const resources = sampler.stop()
  const writes = await writer.stop()

  const seconds = (performance.now() - began) / 1000
  const benchCpu = process.cpuUsage(benchBefore)
  const benchMs = (benchCpu.user + benchCpu.system) / 1000
  const registerMs = cpuMs(register.pid) - registerBefore
  const floorMs = cpuMs(input.floor.pid) - floorBefore
  const postgresMs = cpuSince(postgresBefore, cpuOfCommand("postgres"))
  const machineAfter = machineCpu()
  const ownMs = resources.cpuMs + registerMs + floorMs + postgresMs + benchMs
  const otherMs = machineAfter.processMs - machineBefore.processMs - ownMs
  progress(
    `stream lag: p50 ${stream.lag.p50.toFixed(0)} ms, p99 ${stream.lag.p99.toFixed(0)} ms, ` +
      `max ${stream.lag.max.toFixed(0)} ms, ${stream.notSeen} not seen; writes: ${writes.created} × 201, ` +
      `${writes.errors} errors`
  )
  const cores = (ms: number) => ms / 1000 / seconds
  return {
    endpoints,
    stream,
    writes,
    peakRss: resources.peakRss,
    storeAnalyticsCores: cores(resources.cpuMs),
    cpu: {
      cashRegisterCores: cores(registerMs),
      floorCores: cores(floorMs),
      postgresCores: cores(postgresMs),
      benchCores: cores(benchMs),
      otherBusy: Math.max(0, otherMs) / (machineAfter.totalMs - machineBefore.totalMs)
    } satisfies AnalyticsResult["cpu"]
  }
}
