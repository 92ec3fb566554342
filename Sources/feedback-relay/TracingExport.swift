import Logging
import OTel
import Observability
import ServiceLifecycle
import Settings

/// The OTLP/HTTP span exporter swift-otel builds from the `OTEL_*` variables, when the configuration
/// turned tracing on (README, Tracing). Its diagnostics go to the relay's own log.
enum TracingExport {
    static func make(_ settings: TracingSettings?, logger: Logger) throws -> (tracer: RelayTracer, service: (any Service)?) {
        guard settings != nil else { return (.off, nil) }
        var configuration = OTel.Configuration.default
        configuration.serviceName = "feedback-relay"
        configuration.diagnosticLogger = .custom(logger)
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        configuration.metrics.enabled = false
        configuration.logs.enabled = false
        let backend = try OTel.makeTracingBackend(configuration: configuration)
        return (RelayTracer(backend.factory), backend.service)
    }
}
