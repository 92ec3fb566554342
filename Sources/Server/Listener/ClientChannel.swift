import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import Observability

/// What every client connection of either listener gets: an HTTP/1 codec, a `ClientConnectionGuard`
/// after its decoder, and its opening and closing counted.
struct ClientPipeline: Sendable {
    let limits: ClientConnectionGuard.Limits
    let metrics: RelayMetrics
    let listener: Relay.Listener
    let memory: BurstMemoryRelease

    /// The management listener's: NIO's codec, and after the guard the conversion to HTTP types that
    /// Hummingbird reads (`HTTPRequestPart`s).
    func configure(_ channel: any Channel) throws {
        try channel.pipeline.syncOperations.configureHTTPServerPipeline(
            withPipeliningAssistance: false,
            withErrorHandling: false,
            withOutboundHeaderValidation: false,
            withEncoderConfiguration: .init(),
            withDecoderLimitConfiguration: .init()
        )
        try addGuard(channel)
        try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
    }

    /// The hook listener's: NIO's decoder and the relay's `AnswerEncoder`; the next handler reads NIO's
    /// `HTTPServerRequestPart`s.
    func configureHooks(_ channel: any Channel) throws {
        try channel.pipeline.syncOperations.addHandlers([
            ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)), AnswerEncoder(),
        ])
        try addGuard(channel)
    }

    private func addGuard(_ channel: any Channel) throws {
        let metrics = self.metrics
        try channel.pipeline.syncOperations.addHandler(ClientConnectionGuard(limits: limits) { metrics.clientConnectionClosed($0) })
        let listener = self.listener
        let memory = self.memory
        metrics.clientConnectionOpened(listener)
        memory.opened()
        channel.closeFuture.whenComplete { _ in
            metrics.clientConnectionEnded(listener)
            memory.closed()
        }
    }
}

/// Hummingbird's HTTP/1 child channel on the relay's client pipeline (the management listener).
struct ClientChannel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    let responder: HTTPChannelHandler.Responder
    let pipeline: ClientPipeline

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try pipeline.configure(channel)
            return try NIOAsyncChannel(wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
        }
    }

    func handle(value asyncChannel: Value, logger: Logger) async {
        await handleHTTP(asyncChannel: asyncChannel, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 with the relay's client-connection limits.
    static func guardedHTTP1(_ pipeline: ClientPipeline) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in ClientChannel(responder: responder, pipeline: pipeline) }
    }
}
