import { Option, Tracer } from "effect"
import { randomBytes } from "node:crypto"
import type { Sampler } from "./TelemetryConfig.js"

const isSampled = (sampler: Sampler, parent: Option.Option<Tracer.AnySpan>): boolean => {
  switch (sampler._tag) {
    case "AlwaysOn":
      return true
    case "AlwaysOff":
      return false
    case "TraceIdRatio":
      return Math.random() < sampler.ratio
    case "ParentBased":
      return Option.match(parent, { onNone: () => isSampled(sampler.root, parent), onSome: (span) => span.sampled })
  }
}

/**
 * A span that is carried (its ids go on in `traceparent` with the sampled flag off, and its
 * children follow its decision) but never exported.
 */
const unsampledSpan = (
  name: string,
  parent: Option.Option<Tracer.AnySpan>,
  context: Tracer.Span["context"],
  links: ReadonlyArray<Tracer.SpanLink>,
  startTime: bigint,
  kind: Tracer.SpanKind
): Tracer.Span => {
  const attributes = new Map<string, unknown>()
  const span: Tracer.Span = {
    _tag: "Span",
    name,
    spanId: randomBytes(8).toString("hex"),
    traceId: Option.match(parent, { onNone: () => randomBytes(16).toString("hex"), onSome: (p) => p.traceId }),
    parent,
    context,
    status: { _tag: "Started", startTime },
    attributes,
    links: [...links],
    sampled: false,
    kind,
    end: (endTime, exit) => {
      ;(span as { status: Tracer.SpanStatus }).status = { _tag: "Ended", startTime, endTime, exit }
    },
    attribute: (key, value) => void attributes.set(key, value),
    event: () => undefined,
    addLinks: () => undefined
  }
  return span
}

/** A tracer that exports through `tracer` only the traces `sampler` keeps (OTEL_TRACES_SAMPLER). */
export const sampledTracer = (tracer: Tracer.Tracer, sampler: Sampler): Tracer.Tracer =>
  Tracer.make({
    span: (name, parent, context, links, startTime, kind, options) =>
      isSampled(sampler, parent)
        ? tracer.span(name, parent, context, links, startTime, kind, options)
        : unsampledSpan(name, parent, context, links, startTime, kind),
    context: tracer.context
  })
