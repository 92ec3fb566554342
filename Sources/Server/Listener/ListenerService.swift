import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Settings
import Synchronization

/// Runs one listener's server; an error before it is listening becomes a `ListenError`.
final class ListenerService: Service, Sendable {
    private let server: any Service
    private let variable: String
    private let address: ListenAddress
    private let flag: ListeningFlag

    /// A Hummingbird application: the management listener.
    /// - Parameter onListening: called with the bound port once the listener accepts connections.
    convenience init<Responder: HTTPResponder>(
        variable: String,
        address: ListenAddress,
        responder: Responder,
        server: HTTPServerBuilder,
        maxConnections: Int,
        logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void
    ) where Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
        let flag = ListeningFlag()
        let application = Application(
            responder: responder,
            server: server,
            configuration: .init(
                address: .hostname(address.host, port: address.port),
                serverName: nil,
                availableConnectionsDelegate: .maximum(maxConnections, logger: logger)
            ),
            onServerRunning: { channel in
                flag.set()
                await onListening(channel.localAddress?.port ?? 0)
            },
            logger: logger
        )
        self.init(server: application, variable: variable, address: address, flag: flag)
    }

    /// A server of HummingbirdCore's with a child channel of the relay's own: the webhook listener,
    /// which answers on the event loop without Hummingbird's request machinery (README, Performance).
    convenience init<Child: ServerChildChannel>(
        variable: String,
        address: ListenAddress,
        childChannel: Child,
        maxConnections: Int,
        logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void
    ) {
        let flag = ListeningFlag()
        let server = Server(
            childChannelSetup: childChannel,
            configuration: .init(
                address: .hostname(address.host, port: address.port),
                availableConnectionsDelegate: .maximum(maxConnections, logger: logger)
            ),
            onServerRunning: { channel in
                flag.set()
                await onListening(channel.localAddress?.port ?? 0)
            },
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            logger: logger
        )
        self.init(server: server, variable: variable, address: address, flag: flag)
    }

    private init(server: any Service, variable: String, address: ListenAddress, flag: ListeningFlag) {
        self.server = server
        self.variable = variable
        self.address = address
        self.flag = flag
    }

    func run() async throws {
        do {
            try await server.run()
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
