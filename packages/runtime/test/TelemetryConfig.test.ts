import { describe, expect, it } from "@effect/vitest"
import { parseKeyValues, sampledTracer, telemetryConfig } from "@icash/runtime"
import { ConfigProvider, Effect, Option, Tracer } from "effect"

const configFrom = (env: Record<string, string>) =>
  telemetryConfig("cash-register").pipe(
    Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
  )

describe("telemetry configuration from the OTEL_* variables", () => {
  it.effect("exports nothing without an endpoint, or when the SDK is disabled", () =>
    Effect.gen(function*() {
      expect(yield* configFrom({})).toEqual(Option.none())
      expect(yield* configFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://x:4318", OTEL_SDK_DISABLED: "true" })).toEqual(
        Option.none()
      )
    }))

  it.effect("derives each signal's URL from the base endpoint, unless given its own", () =>
    Effect.gen(function*() {
      const base = Option.getOrThrow(yield* configFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://jaeger:4318/" }))
      expect(base.tracesUrl).toEqual(Option.some("http://jaeger:4318/v1/traces"))
      expect(base.metricsUrl).toEqual(Option.some("http://jaeger:4318/v1/metrics"))
      expect(base.protocol).toBe("http/protobuf")
      const own = Option.getOrThrow(yield* configFrom({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://t/traces" }))
      expect(own.tracesUrl).toEqual(Option.some("http://t/traces"))
      expect(own.metricsUrl).toEqual(Option.none())
      const tracesOnly = Option.getOrThrow(
        yield* configFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://jaeger:4318", OTEL_METRICS_EXPORTER: "none" })
      )
      expect([tracesOnly.tracesUrl, tracesOnly.metricsUrl]).toEqual([
        Option.some("http://jaeger:4318/v1/traces"),
        Option.none()
      ])
      expect(
        yield* configFrom({
          OTEL_EXPORTER_OTLP_ENDPOINT: "http://x",
          OTEL_METRICS_EXPORTER: "none",
          OTEL_TRACES_EXPORTER: "none"
        })
      ).toEqual(Option.none())
    }))

  it.effect("names the service and its resource from OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES", () =>
    Effect.gen(function*() {
      const fallback = Option.getOrThrow(yield* configFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://x" }))
      expect(fallback.resource.serviceName).toBe("cash-register")
      const named = Option.getOrThrow(
        yield* configFrom({
          OTEL_EXPORTER_OTLP_ENDPOINT: "http://x",
          OTEL_RESOURCE_ATTRIBUTES: "service.name=till-7,deployment.environment=prod%20eu",
          OTEL_EXPORTER_OTLP_HEADERS: "x-api-key=s3cret"
        })
      )
      expect(named.resource).toEqual({
        serviceName: "till-7",
        attributes: { "service.name": "till-7", "deployment.environment": "prod eu" }
      })
      expect(named.headers).toEqual({ "x-api-key": "s3cret" })
      expect(parseKeyValues(" a = 1 ,broken, b=2=3")).toEqual({ a: "1", b: "2=3" })
    }))

  it.effect("refuses a protocol or sampler it does not support, saying which", () =>
    Effect.gen(function*() {
      const grpc = yield* Effect.flip(
        configFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://x", OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" })
      )
      expect(String(grpc)).toContain("http/protobuf or http/json")
      const sampler = yield* Effect.flip(
        configFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://x", OTEL_TRACES_SAMPLER: "sometimes" })
      )
      expect(String(sampler)).toContain("unknown sampler")
      const ratio = yield* Effect.flip(
        configFrom({
          OTEL_EXPORTER_OTLP_ENDPOINT: "http://x",
          OTEL_TRACES_SAMPLER: "traceidratio",
          OTEL_TRACES_SAMPLER_ARG: "2"
        })
      )
      expect(String(ratio)).toContain("from 0 to 1")
    }))
})

describe("sampling", () => {
  // an exporting tracer that counts what reaches it: Effect's own tracer, counted
  const native = Effect.runSync(Effect.tracer)
  const counting = () => {
    let exported = 0
    const tracer = Tracer.make({
      span: (...args) => {
        exported++
        return native.span(...args)
      },
      context: native.context
    })
    return { tracer, exported: () => exported }
  }
  const unsampledCaller = Tracer.externalSpan({ traceId: "a".repeat(32), spanId: "b".repeat(16), sampled: false })
  const sampledCaller = Tracer.externalSpan({ traceId: "c".repeat(32), spanId: "d".repeat(16), sampled: true })

  it.effect("follows the caller's decision with parentbased samplers, and the ratio for new traces", () =>
    Effect.gen(function*() {
      const run = (sampler: Parameters<typeof sampledTracer>[1], parent?: Tracer.ExternalSpan) => {
        const target = counting()
        const work = Effect.void.pipe(Effect.withSpan("child"), Effect.withSpan("request"))
        Effect.runSync(
          (parent === undefined ? work : Effect.withParentSpan(work, parent)).pipe(
            Effect.withTracer(sampledTracer(target.tracer, sampler))
          )
        )
        return target.exported()
      }
      const parentBased = { _tag: "ParentBased", root: { _tag: "AlwaysOn" } } as const
      expect(run(parentBased)).toBe(2)
      expect(run(parentBased, sampledCaller)).toBe(2)
      expect(run(parentBased, unsampledCaller)).toBe(0)
      expect(run({ _tag: "AlwaysOff" })).toBe(0)
      expect(run({ _tag: "TraceIdRatio", ratio: 0 })).toBe(0)
      expect(run({ _tag: "TraceIdRatio", ratio: 1 })).toBe(2)
    }))
})
