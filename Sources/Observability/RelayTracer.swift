import HTTPTypes
import Tracing

/// The relay's spans (README, Tracing): one per webhook with a child per step, and one per delivery
/// attempt linked to the webhook that brought the event. Off, it holds no tracer and every call returns
/// nil at once, so a relay without an OTLP endpoint does no tracing work at all.
public struct RelayTracer: Sendable {
    private let tracer: (any Tracer)?

    public static let off = RelayTracer(nil)

    public init(_ tracer: (any Tracer)?) {
        self.tracer = tracer
    }

    /// The span of one webhook, continuing the sender's trace when its `traceparent` says so.
    package func webhook(headers: HTTPFields) -> (any Span)? {
        guard let tracer else { return nil }
        var context = InstrumentationContext.topLevel
        tracer.extract(headers, into: &context, using: HTTPFieldsExtractor())
        return tracer.startSpan("webhook", context: context, ofKind: .server)
    }

    /// A step within `parent`: verify, map, store, upstream call. None within a webhook the sampler left
    /// out: its children would not be recorded either, and each costs an id and a clock read.
    package func step(_ name: String, of parent: (any Span)?, kind: SpanKind = .internal) -> (any Span)? {
        guard let tracer, let parent, parent.isRecording else { return nil }
        return tracer.startSpan(name, context: parent.context, ofKind: kind)
    }

    /// The W3C `traceparent` of `span`, kept with a queued event so its delivery can link back to it.
    package func traceParent(of span: (any Span)?) -> String? {
        guard let tracer, let span, span.isRecording else { return nil }
        var carrier: [String: String] = [:]
        tracer.inject(span.context, into: &carrier, using: DictionaryInjector())
        return carrier["traceparent"]
    }

    /// One delivery attempt: a trace of its own, linked to the webhook's span when its context was kept.
    package func attempt(traceParent: String?) -> (any Span)? {
        guard let tracer else { return nil }
        let span = tracer.startSpan("delivery attempt", context: .topLevel, ofKind: .client)
        if let traceParent {
            var linked = InstrumentationContext.topLevel
            tracer.extract(["traceparent": traceParent], into: &linked, using: DictionaryExtractor())
            span.addLink(SpanLink(context: linked, attributes: [:]))
        }
        return span
    }
}

private struct HTTPFieldsExtractor: Extractor {
    func extract(key: String, from fields: HTTPFields) -> String? {
        HTTPField.Name(key).flatMap { fields[$0] }
    }
}

private struct DictionaryExtractor: Extractor {
    func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
}

private struct DictionaryInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key] = value }
}
