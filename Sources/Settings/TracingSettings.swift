import Foundation

/// Tracing, set by the standard OpenTelemetry variables (README, Tracing): on when an OTLP endpoint is
/// set, off otherwise. swift-otel reads the rest of the `OTEL_*` variables itself; the ones checked
/// here are those whose mistakes would otherwise only show as spans that never arrive.
public struct TracingSettings: Sendable, Equatable {
    /// Where spans go: the traces endpoint as given, or the general one with `/v1/traces` added.
    public var endpoint: String

    static let protocols = ["http/protobuf", "http/json"]

    static func load(environment: [String: String], problems: ProblemLog) -> TracingSettings? {
        func first(_ names: String...) -> (name: String, value: String)? {
            names.lazy.compactMap { name in environment[name].map { (name, $0) } }.first { !$0.value.isEmpty }
        }
        if let (name, value) = first("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"), !protocols.contains(value) {
            let why = value == "grpc" ? "this build exports OTLP over HTTP only" : "unknown protocol"
            problems.report(name, "'\(value)': \(why); use \(protocols.joined(separator: " or "))")
        }
        guard environment["OTEL_SDK_DISABLED"]?.lowercased() != "true", environment["OTEL_TRACES_EXPORTER"] != "none",
            let (name, value) = first("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
        else { return nil }
        guard let url = URL(string: value), ["http", "https"].contains(url.scheme ?? ""), url.host?.isEmpty == false else {
            problems.report(name, "'\(value)' is not an http:// or https:// URL")
            return nil
        }
        let endpoint = name == "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT" ? value : (value.hasSuffix("/") ? value : value + "/") + "v1/traces"
        return TracingSettings(endpoint: endpoint)
    }
}
