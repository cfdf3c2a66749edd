import { Config, ConfigError, Effect, Either, Option } from "effect"

/**
 * OpenTelemetry export, configured by the standard OTEL_* variables (read through Effect Config,
 * so `.env` works too). None when nothing is to be exported: no endpoint, or OTEL_SDK_DISABLED=true.
 * OTEL_TRACES_EXPORTER / OTEL_METRICS_EXPORTER = none turn one signal off (e.g. metrics for a
 * backend that only takes traces).
 */
export interface TelemetryConfig {
  readonly tracesUrl: Option.Option<string>
  readonly metricsUrl: Option.Option<string>
  readonly protocol: "http/json" | "http/protobuf"
  readonly headers: Record<string, string>
  readonly resource: { readonly serviceName: string; readonly attributes: Record<string, string> }
  readonly sampler: Sampler
}

export type Sampler =
  | { readonly _tag: "AlwaysOn" | "AlwaysOff" }
  | { readonly _tag: "TraceIdRatio"; readonly ratio: number }
  | { readonly _tag: "ParentBased"; readonly root: Sampler }

const optional = (config: Config.Config<string>) =>
  Config.option(config).pipe(
    Config.map(Option.map((value) => value.trim())),
    Config.map(Option.filter((value) => value !== ""))
  )

/** `key1=value1,key2=value2` with percent-encoded values, as OTEL_RESOURCE_ATTRIBUTES and OTEL_EXPORTER_OTLP_HEADERS are. */
export const parseKeyValues = (text: string): Record<string, string> =>
  Object.fromEntries(
    text.split(",").map((pair) => pair.trim()).filter((pair) => pair.includes("=")).map((pair) => {
      const at = pair.indexOf("=")
      return [decodeURIComponent(pair.slice(0, at).trim()), decodeURIComponent(pair.slice(at + 1).trim())]
    })
  )

const signalUrl = (specific: Option.Option<string>, base: Option.Option<string>, path: string) =>
  Option.orElse(specific, () => Option.map(base, (url) => `${url.replace(/\/+$/, "")}/${path}`))

const protocolConfig = Config.string("OTEL_EXPORTER_OTLP_PROTOCOL").pipe(
  Config.withDefault("http/protobuf"),
  Config.validate({
    message: "OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf or http/json (grpc is not supported)",
    validation: (protocol): protocol is "http/json" | "http/protobuf" =>
      protocol === "http/json" || protocol === "http/protobuf"
  })
)

const ratio = (arg: Option.Option<string>): Either.Either<number, ConfigError.ConfigError> => {
  const value = Option.match(arg, { onNone: () => 1, onSome: Number })
  return Number.isFinite(value) && value >= 0 && value <= 1
    ? Either.right(value)
    : Either.left(ConfigError.InvalidData(["OTEL_TRACES_SAMPLER_ARG"], "must be a number from 0 to 1"))
}

/** OTEL_TRACES_SAMPLER (default parentbased_always_on) with its OTEL_TRACES_SAMPLER_ARG. */
const samplerConfig = Config.all([
  Config.string("OTEL_TRACES_SAMPLER").pipe(Config.withDefault("parentbased_always_on")),
  optional(Config.string("OTEL_TRACES_SAMPLER_ARG"))
]).pipe(Config.mapOrFail(([name, arg]): Either.Either<Sampler, ConfigError.ConfigError> => {
  switch (name.trim().toLowerCase()) {
    case "always_on":
      return Either.right({ _tag: "AlwaysOn" })
    case "always_off":
      return Either.right({ _tag: "AlwaysOff" })
    case "traceidratio":
      return Either.map(ratio(arg), (ratio) => ({ _tag: "TraceIdRatio", ratio }))
    case "parentbased_always_on":
      return Either.right({ _tag: "ParentBased", root: { _tag: "AlwaysOn" } })
    case "parentbased_always_off":
      return Either.right({ _tag: "ParentBased", root: { _tag: "AlwaysOff" } })
    case "parentbased_traceidratio":
      return Either.map(ratio(arg), (ratio) => ({ _tag: "ParentBased", root: { _tag: "TraceIdRatio", ratio } }))
    default:
      return Either.left(ConfigError.InvalidData(["OTEL_TRACES_SAMPLER"], `unknown sampler "${name}"`))
  }
}))

export const telemetryConfig = (defaultServiceName: string) =>
  Effect.gen(function*() {
    const disabled = yield* Config.boolean("OTEL_SDK_DISABLED").pipe(Config.withDefault(false))
    const tracesExporter = yield* Config.literal("otlp", "none")("OTEL_TRACES_EXPORTER").pipe(
      Config.withDefault("otlp")
    )
    const metricsExporter = yield* Config.literal("otlp", "none")("OTEL_METRICS_EXPORTER").pipe(
      Config.withDefault("otlp")
    )
    const base = yield* optional(Config.string("OTEL_EXPORTER_OTLP_ENDPOINT"))
    const tracesUrl = Option.filter(
      signalUrl(yield* optional(Config.string("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")), base, "v1/traces"),
      () => tracesExporter === "otlp"
    )
    const metricsUrl = Option.filter(
      signalUrl(yield* optional(Config.string("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT")), base, "v1/metrics"),
      () => metricsExporter === "otlp"
    )
    if (disabled || (Option.isNone(tracesUrl) && Option.isNone(metricsUrl))) return Option.none<TelemetryConfig>()
    const attributes = parseKeyValues(
      Option.getOrElse(yield* optional(Config.string("OTEL_RESOURCE_ATTRIBUTES")), () => "")
    )
    const serviceName = Option.getOrElse(
      yield* optional(Config.string("OTEL_SERVICE_NAME")),
      () => attributes["service.name"] ?? defaultServiceName
    )
    return Option.some<TelemetryConfig>({
      tracesUrl,
      metricsUrl,
      protocol: yield* protocolConfig,
      headers: parseKeyValues(Option.getOrElse(yield* optional(Config.string("OTEL_EXPORTER_OTLP_HEADERS")), () => "")),
      resource: { serviceName, attributes },
      sampler: yield* samplerConfig
    })
  })
