import { OtlpMetrics, OtlpSerialization, OtlpTracer } from "@effect/opentelemetry"
import { FetchHttpClient } from "@effect/platform"
import { Effect, Layer, Option } from "effect"
import { sampledTracer } from "./Sampler.js"
import { type TelemetryConfig, telemetryConfig } from "./TelemetryConfig.js"

const exporters = (config: TelemetryConfig) => {
  const resource = { serviceName: config.resource.serviceName, attributes: config.resource.attributes }
  const traces = Option.match(config.tracesUrl, {
    onNone: () => Layer.empty,
    onSome: (url) =>
      Layer.unwrapScoped(
        Effect.map(
          OtlpTracer.make({ url, resource, headers: config.headers }),
          (tracer) => Layer.setTracer(sampledTracer(tracer, config.sampler))
        )
      )
  })
  const metrics = Option.match(config.metricsUrl, {
    onNone: () => Layer.empty,
    onSome: (url) => Layer.scopedDiscard(OtlpMetrics.make({ url, resource, headers: config.headers }))
  })
  return Layer.mergeAll(traces, metrics).pipe(
    Layer.provide(config.protocol === "http/json" ? OtlpSerialization.layerJson : OtlpSerialization.layerProtobuf),
    Layer.provide(FetchHttpClient.layer)
  )
}

/**
 * Traces and metrics over OTLP/HTTP when the OTEL_* variables ask for them; otherwise nothing at
 * all (Effect's own spans stay in memory, and nothing is sent). Closing it flushes what is left.
 */
export const TelemetryLive = (defaultServiceName: string) =>
  Layer.unwrapEffect(
    Effect.map(telemetryConfig(defaultServiceName), Option.match({ onNone: () => Layer.empty, onSome: exporters }))
  )
