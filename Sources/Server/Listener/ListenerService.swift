import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle
import Settings
import Synchronization

/// Runs one Hummingbird application; an error before it is listening becomes a `ListenError`.
final class ListenerService<Responder: HTTPResponder>: Service, Sendable
where Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
    private let application: Application<Responder>
    private let variable: String
    private let address: ListenAddress

    /// - Parameter onListening: called with the bound port once the listener accepts connections.
    init(
        variable: String,
        address: ListenAddress,
        responder: Responder,
        server: HTTPServerBuilder,
        maxConnections: Int,
        logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void
    ) {
        self.variable = variable
        self.address = address
        let listening = ListeningFlag()
        self.application = Application(
            responder: responder,
            server: server,
            configuration: .init(
                address: .hostname(address.host, port: address.port),
                serverName: nil,
                availableConnectionsDelegate: .maximum(maxConnections, logger: logger)
            ),
            onServerRunning: { channel in
                listening.set()
                await onListening(channel.localAddress?.port ?? 0)
            },
            logger: logger
        )
        self.flag = listening
    }

    private let flag: ListeningFlag

    func run() async throws {
        do {
            try await application.run()
        } catch {
            if !flag.isSet { throw ListenError(variable: variable, address: address, underlying: error) }
            throw error
        }
    }
}

/// Set once the listener is bound: an error after that is not a start error.
private final class ListeningFlag: Sendable {
    private let value = Atomic(false)

    var isSet: Bool { value.load(ordering: .relaxed) }

    func set() { value.store(true, ordering: .relaxed) }
}
