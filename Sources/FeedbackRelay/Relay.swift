import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

/// The whole relay as services for one `ServiceGroup`: the feedback client first, the listeners
/// after it, so on shutdown the listeners stop taking requests before the client stops.
public struct Relay: Sendable {
    public enum Listener: Sendable {
        case hooks, management
    }

    public let config: RelayConfig
    public let state = RelayState()
    public let services: [any Service]

    /// - Parameters:
    ///   - client: the feedback API client; the libcurl one unless a test brings its own.
    ///   - now: the clock signatures are checked against.
    ///   - onListening: called with each listener's bound port (tests bind port 0).
    public init(
        config: RelayConfig,
        logger: Logger,
        client: (any FeedbackSending & Service)? = nil,
        now: @escaping @Sendable () -> Date = Date.init,
        onListening: @escaping @Sendable (Listener, Int) async -> Void = { _, _ in }
    ) {
        self.config = config
        let client =
            client
            ?? CurlFeedbackClient(
                configuration: .init(concurrency: config.concurrency, timeout: config.upstreamTimeout, allowInsecure: config.allowInsecureUpstream)
            )
        let state = self.state
        let hooks = HookResponder(
            routes: Dictionary(uniqueKeysWithValues: config.routes.map { ($0.name, $0) }),
            delivery: client,
            maxBodyBytes: config.maxBodyBytes,
            state: state,
            now: now
        )
        let hooksApp = Application(
            responder: hooks,
            configuration: .init(address: .hostname(config.listen.host, port: config.listen.port), serverName: nil),
            onServerRunning: { channel in await onListening(.hooks, channel.localAddress?.port ?? 0) },
            logger: logger
        )
        let managementApp = Application(
            responder: ManagementResponder(state: state),
            configuration: .init(address: .hostname(config.managementListen.host, port: config.managementListen.port), serverName: nil),
            onServerRunning: { channel in await onListening(.management, channel.localAddress?.port ?? 0) },
            logger: logger
        )
        self.services = [client, managementApp, hooksApp, DrainOnShutdown(state: state)]
    }

    /// Runs until SIGTERM or SIGINT, then drains.
    public func run(logger: Logger) async throws {
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// Last in the group, so first to hear of shutdown: from then on webhooks get 503 and `/readyz` fails,
/// while the listeners finish what they have.
struct DrainOnShutdown: Service {
    let state: RelayState

    func run() async throws {
        try? await gracefulShutdown()
        state.startDraining()
    }
}
