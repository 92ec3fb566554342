import ArgumentParser
import Commands
import Foundation
import Logging
import Observability
import RelayModel
import Server
import ServiceLifecycle
import Settings
import Store
import Upstream

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the relay (the default).")

    func run() async throws {
        let config = loadConfig()
        // A file-size limit must fail the write (the store answers 503), not kill the process.
        signal(SIGXFSZ, SIG_IGN)
        let logger = Logger.relay(format: config.logFormat, level: config.logLevel)
        logger.info(
            "starting",
            metadata: [
                "routes": .array(config.routes.map { .string($0.name) }), "listen": "\(config.listen)",
                "management_listen": "\(config.managementListen)", "delivery": "\(config.delivery.rawValue)", "upstream": "\(config.baseURL)",
            ]
        )
        let tracing: (tracer: RelayTracer, service: (any Service)?)
        do {
            tracing = try TracingExport.make(config.tracing, logger: logger)
        } catch {
            FileHandle.standardError.write(Data("feedback-relay: OTEL_EXPORTER_OTLP_ENDPOINT: \(error)\n".utf8))
            throw ExitCode(1)
        }
        if let tracing = config.tracing { logger.info("tracing", metadata: ["otlp_endpoint": "\(tracing.endpoint)"]) }
        let relay: Relay
        do {
            relay = try await Relay.open(
                config: config,
                logger: logger,
                tracer: tracing.tracer,
                tracingExport: tracing.service,
                onListening: StartupPageRelease.afterListening(logger: logger)
            )
        } catch {
            FileHandle.standardError.write(Data("feedback-relay: RELAY_STORE: \(error)\n".utf8))
            throw ExitCode(1)
        }
        do {
            try await relay.run(logger: logger)
        } catch let error as ListenError {
            logger.critical("\(error)")
            LogSink.flush()
            FileHandle.standardError.write(Data("feedback-relay: \(error)\n".utf8))
            throw ExitCode(1)
        }
        logger.info("stopped")
        LogSink.flush()
    }
}
