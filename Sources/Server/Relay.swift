import Foundation
import Hummingbird
import Logging
import NIOCore
import Observability
import ServiceLifecycle
import Settings
import Store
import UnixSignals
import Upstream

/// The whole relay as services for one `ServiceGroup`: the feedback client first, then the delivery
/// worker, then the listeners, so on shutdown intake stops first, the worker finishes its calls in
/// flight, and the client stops last.
public struct Relay: Sendable {
    public typealias Listener = Observability.Listener

    public let config: RelayConfig
    public let state = RelayState()
    public let metrics: RelayMetrics
    public let services: [any Service]
    /// The durable store, in queue mode.
    public let store: (any DeliveryStore)?

    /// - Parameters:
    ///   - client: the feedback API client; the libcurl one unless a test brings its own.
    ///   - store: the delivery store in queue mode; opened from `RELAY_STORE` unless given.
    ///   - policy: retry timing; from the configuration unless given.
    ///   - now: the clock signatures are checked against and deliveries are scheduled by.
    ///   - onListening: called with each listener's bound port (tests bind port 0).
    ///   - tracer: spans for webhooks and deliveries; off unless an OTLP endpoint is configured.
    ///   - tracingExport: the service that exports those spans; it stops last, so every span is sent.
    public init(
        config: RelayConfig,
        logger: Logger,
        client: (any FeedbackSending & Service)? = nil,
        store: (any DeliveryStore)? = nil,
        policy: RetryPolicy? = nil,
        now: @escaping @Sendable () -> Date = Date.init,
        onListening: @escaping @Sendable (Listener, Int) async -> Void = { _, _ in },
        tracer: RelayTracer = .off,
        tracingExport: (any Service)? = nil
    ) throws(StoreError) {
        self.config = config
        let client =
            client
            ?? CurlFeedbackClient(
                configuration: .init(
                    concurrency: config.concurrency,
                    timeout: config.upstreamTimeout,
                    allowInsecure: config.allowInsecureUpstream,
                    proxy: config.upstreamProxy
                )
            )
        let state = self.state
        let storeHealth = StoreHealth()
        let metrics = RelayMetrics(routes: config.routes.map(\.name))
        self.metrics = metrics
        var services: [any Service] = [client]
        let upstream = UpstreamCall(client: client, metrics: metrics)
        let forwarding: HookResponder.Forwarding
        switch config.delivery {
        case .inline:
            self.store = nil
            forwarding = .inline(upstream)
        case .queue:
            let opened: any DeliveryStore
            if let store {
                opened = store
            } else if case .sqlite(let path) = config.store {
                opened = try SQLiteDeliveryStore(path: path)
            } else {
                throw StoreError("\(config.store) is opened with Relay.open(config:logger:)")
            }
            self.store = opened
            let worker = DeliveryWorker(
                store: opened,
                upstream: upstream,
                targets: Dictionary(uniqueKeysWithValues: config.routes.map { ($0.name, $0.upstream) }),
                policy: policy ?? RetryPolicy(maxAge: config.retryMaxAge),
                concurrency: config.concurrency,
                upstreamTimeout: config.upstreamTimeout,
                metrics: metrics,
                tracer: tracer,
                health: storeHealth,
                now: now,
                logger: logger
            )
            services.append(worker)
            services.append(RetentionSweeper(store: opened, keep: config.dedupWindow, interval: .seconds(600), now: now, logger: logger))
            forwarding = .queue(opened, worker, dedupWindow: config.dedupWindow)
        }
        let hooks = HookResponder(
            routes: Dictionary(uniqueKeysWithValues: config.routes.map { ($0.name, $0) }),
            forwarding: forwarding,
            maxBodyBytes: config.maxBodyBytes,
            state: state,
            storeHealth: storeHealth,
            metrics: metrics,
            tracer: tracer,
            logger: logger,
            now: now
        )
        let management = ManagementRouter.responder(
            state: state,
            store: self.store,
            storeHealth: storeHealth,
            adminToken: config.adminToken,
            metrics: metrics,
            connections: { (client as? CurlFeedbackClient)?.connectionStatistics },
            now: now
        )
        let limits = ClientConnectionGuard.Limits(
            header: TimeAmount(config.headerTimeout),
            body: TimeAmount(config.bodyTimeout),
            idle: TimeAmount(config.idleTimeout)
        )
        let memory = BurstMemoryRelease()
        let fileLimit = FileDescriptorLimit.raise()
        let perListener = FileDescriptorLimit.connectionsPerListener(
            configured: config.maxConnections,
            limit: fileLimit,
            reserved: config.concurrency + 64
        )
        if perListener < config.maxConnections {
            let message: Logger.Message =
                "RELAY_MAX_CONNECTIONS=\(config.maxConnections) is more than the open-file limit (\(fileLimit)) allows; each listener holds at most \(perListener), the rest wait in the backlog"
            if config.maxConnectionsIsExplicit { logger.warning(message) } else { logger.info(message) }
        }
        let hooksListener = ListenerService(
            variable: "RELAY_LISTEN",
            address: config.listen,
            childChannel: HookChannel(
                responder: hooks,
                pipeline: ClientPipeline(limits: limits, metrics: metrics, listener: .hooks, memory: memory)
            ),
            maxConnections: perListener,
            logger: logger
        ) { await onListening(.hooks, $0) }
        let managementListener = ListenerService(
            variable: "RELAY_MANAGEMENT_LISTEN",
            address: config.managementListen,
            responder: management,
            server: .guardedHTTP1(ClientPipeline(limits: limits, metrics: metrics, listener: .management, memory: memory)),
            maxConnections: perListener,
            logger: logger
        ) { await onListening(.management, $0) }
        services += [managementListener, hooksListener, DrainOnShutdown(state: state)]
        // First in the group, so the store is closed last, after the worker has recorded its results.
        self.services = (tracingExport.map { [$0] } ?? []) + (self.store.map { [StoreCloser(store: $0)] } ?? []) + services
    }

    /// Opens the store `RELAY_STORE` names (connecting and migrating PostgreSQL), then builds the relay.
    public static func open(
        config: RelayConfig,
        logger: Logger,
        tracer: RelayTracer = .off,
        tracingExport: (any Service)? = nil,
        onListening: @escaping @Sendable (Listener, Int) async -> Void = { _, _ in }
    ) async throws(StoreError) -> Relay {
        let store = config.delivery == .queue ? try await config.store.open(logger: logger) : nil
        return try Relay(
            config: config,
            logger: logger,
            store: store,
            onListening: onListening,
            tracer: tracer,
            tracingExport: tracingExport
        )
    }

    /// Runs until SIGTERM or SIGINT, then drains.
    public func run(logger: Logger) async throws {
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
