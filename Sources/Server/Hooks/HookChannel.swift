import HummingbirdCore
import Logging
import NIOCore

/// The webhook listener's child channel: the relay's client pipeline, then `HookHandler`, which answers
/// on the event loop. The connection's task only waits for it to close.
struct HookChannel: ServerChildChannel {
    struct Value: ServerChildChannelValue {
        let channel: any Channel
    }

    let responder: HookResponder
    let pipeline: ClientPipeline

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try pipeline.configureHooks(channel)
            try channel.pipeline.syncOperations.addHandler(HookHandler(responder: responder))
            return Value(channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await withTaskCancellationHandler {
            try? await value.channel.closeFuture.get()
        } onCancel: {
            value.channel.close(promise: nil)
        }
    }
}
