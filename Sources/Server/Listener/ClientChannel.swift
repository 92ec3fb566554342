import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import Observability

/// Hummingbird's HTTP/1 child channel with a `ClientConnectionGuard` between NIO's decoder and the
/// conversion to HTTP types, and open connections counted.
struct ClientChannel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    let responder: HTTPChannelHandler.Responder
    let limits: ClientConnectionGuard.Limits
    let metrics: RelayMetrics
    let listener: Relay.Listener
    let memory: BurstMemoryRelease

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                withPipeliningAssistance: false,
                withErrorHandling: false,
                withOutboundHeaderValidation: false,
                withEncoderConfiguration: .init(),
                withDecoderLimitConfiguration: .init()
            )
            let metrics = self.metrics
            try channel.pipeline.syncOperations.addHandler(ClientConnectionGuard(limits: limits) { metrics.clientConnectionClosed($0) })
            try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
            let listener = self.listener
            let memory = self.memory
            metrics.clientConnectionOpened(listener)
            memory.opened()
            channel.closeFuture.whenComplete { _ in
                metrics.clientConnectionEnded(listener)
                memory.closed()
            }
            return try NIOAsyncChannel(wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
        }
    }

    func handle(value asyncChannel: Value, logger: Logger) async {
        await handleHTTP(asyncChannel: asyncChannel, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 with the relay's client-connection limits.
    static func guardedHTTP1(
        limits: ClientConnectionGuard.Limits,
        metrics: RelayMetrics,
        listener: Relay.Listener,
        memory: BurstMemoryRelease
    ) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            ClientChannel(responder: responder, limits: limits, metrics: metrics, listener: listener, memory: memory)
        }
    }
}
