import NIOCore
import NIOHTTP1
import Observability

/// Timeouts and connection endings for one HTTP/1 client connection. It sits between NIO's HTTP/1
/// decoder and the conversion to HTTP types, where the request's version and the parser's own errors
/// are still visible:
/// - a head must arrive within the header timeout, a body must not stall for the body timeout, and a
///   kept-alive connection may idle for the idle timeout; no timer runs while the relay answers;
/// - an answer that ends the connection (HTTP/1.0, `Connection: close` either way, a 413 before the body
///   was read) is followed by a close, not by reading the rest of the body: the write side closes at once,
///   and what the client still sends is discarded for at most `linger` and `lingerBytes` (so the client
///   reads the answer instead of a reset), then the connection closes;
/// - on graceful shutdown an idle connection closes at once and a busy one after its answer;
/// - a request the parser refuses gets a JSON answer like every other one: 431 for an oversized head,
///   414 for an overlong target, 400 otherwise, then the same close.
final class ClientConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    struct Limits: Sendable {
        var header: TimeAmount
        var body: TimeAmount
        var idle: TimeAmount
        var linger: TimeAmount = .seconds(2)
        /// Discarded input after which lingering ends early: a client still sending is not owed more.
        var lingerBytes = 65536
        /// nginx answers 414 past its 8 KiB request-line buffer; so does the relay.
        var maxTargetBytes = 8192

        var shortest: TimeAmount { min(header, body, idle) }
    }

    private enum Phase {
        /// Waiting for a request head: the first (header timeout) or a kept-alive next one (idle timeout).
        case awaitingHead
        case readingBody
        /// The request is read; the answer is being made. No timer: the upstream timeout bounds it.
        case answering
        /// The last answer is written and the write side is closed; input is discarded until it ends.
        case lingering
    }

    private let limits: Limits
    private let onClose: @Sendable (ClientCloseReason) -> Void
    private var phase = Phase.awaitingHead
    /// Requests whose answer has not been written to its end (pipelined requests can overlap).
    private var unanswered = 0
    /// Whether each unanswered request lets the connection live on after its answer, oldest first:
    /// with pipelining, a later request's `Connection: close` must not end an earlier one's answer.
    private var keepAlive: [Bool] = []
    /// Close after the next answer, whichever request it is for (graceful shutdown, an early answer).
    private var closeAfterAnswer = false
    /// When the connection closes unless more arrives, and what that close is counted as. Moving it is
    /// an assignment: the one timer, set for `timerFires`, looks at it when it fires and sets itself
    /// again if the deadline has moved on (scheduling a task per request part cost more than the part).
    private var deadline: (at: NIODeadline, reason: ClientCloseReason)?
    private var timer: Scheduled<Void>?
    private var timerFires = NIODeadline.distantFuture
    private var discarded = 0

    init(limits: Limits, onClose: @escaping @Sendable (ClientCloseReason) -> Void) {
        self.limits = limits
        self.onClose = onClose
    }

    func handlerAdded(context: ChannelHandlerContext) {
        arm(context, after: limits.header, reason: .headerTimeout)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .lingering = phase {
            if case .body(let bytes) = unwrapInboundIn(data) {
                discarded += bytes.readableBytes
                if discarded > limits.lingerBytes { context.close(promise: nil) }
            }
            return
        }
        switch unwrapInboundIn(data) {
        case .head(let head):
            unanswered += 1
            if head.uri.utf8.count > limits.maxTargetBytes {
                refuse(context, status: .uriTooLong, "uri_too_long")
                return
            }
            keepAlive.append(head.isKeepAlive)
            phase = .readingBody
            arm(context, after: limits.body, reason: .bodyTimeout)
        case .body:
            arm(context, after: limits.body, reason: .bodyTimeout)
        case .end:
            phase = .answering
            pause()
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        guard case .awaitingHead = phase else {
            // Mid-body (a bad chunk): the request being read fails and is answered 400 by the relay itself;
            // the connection ends with that answer.
            if !keepAlive.isEmpty { keepAlive[keepAlive.count - 1] = false }
            context.fireErrorCaught(error)
            return
        }
        if parserError == .headerOverflow {
            refuse(context, status: .requestHeaderFieldsTooLarge, "header_too_large")
        } else {
            refuse(context, status: .badRequest, "bad_request")
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .lingering = phase, case ChannelEvent.inputClosed = event {
            context.close(promise: nil)
            return
        }
        // Graceful shutdown: an idle connection closes now, a busy one after its answer.
        if event is ChannelShouldQuiesceEvent {
            if case .awaitingHead = phase, unanswered == 0 {
                disarm()
                context.close(promise: nil)
            } else {
                closeAfterAnswer = true
            }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head):
            let requested = keepAlive.isEmpty ? true : keepAlive.removeFirst()
            if closeAfterAnswer || !requested || !head.isKeepAlive || !requestFullyRead {
                closeAfterAnswer = true
                head.headers.replaceOrAdd(name: "connection", value: "close")
            }
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            let fullyRead = requestFullyRead
            unanswered -= 1
            guard closeAfterAnswer else {
                context.write(data, promise: promise)
                if unanswered == 0, case .answering = phase {
                    phase = .awaitingHead
                    arm(context, after: limits.idle, reason: .idleTimeout)
                }
                return
            }
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.cascade(to: promise)
            context.write(data, promise: written)
            finish(context, after: written.futureResult, reason: .answered, linger: !fullyRead)
        }
    }

    /// Whether the request being answered, the oldest unanswered one, has been read to its end (an
    /// early 413 has not). With a later request's head read, it has.
    private var requestFullyRead: Bool {
        if case .readingBody = phase, unanswered == 1 { return false }
        return true
    }

    /// Answers a request the relay will not read, then closes.
    private func refuse(_ context: ChannelHandlerContext, status: HTTPResponseStatus, _ name: String) {
        let body = ByteBuffer(string: #"{"status":"\#(name)"}"#)
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "content-length", value: String(body.readableBytes))
        headers.add(name: "connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
        finish(context, after: written.futureResult, reason: .malformed, linger: true)
    }

    /// Closes once `written` is on the wire: at once when the request was read to its end, else after
    /// closing the write side and discarding input for the linger time.
    private func finish(_ context: ChannelHandlerContext, after written: EventLoopFuture<Void>, reason: ClientCloseReason, linger: Bool) {
        phase = .lingering
        disarm()
        onClose(reason)
        written.assumeIsolated().whenComplete { _ in
            if !linger {
                context.close(promise: nil)
                return
            }
            context.close(mode: .output, promise: nil)
            self.timer = context.eventLoop.assumeIsolated().scheduleTask(in: self.limits.linger) { context.close(promise: nil) }
        }
    }

    private func arm(_ context: ChannelHandlerContext, after delay: TimeAmount, reason: ClientCloseReason) {
        let at = NIODeadline.now() + delay
        deadline = (at, reason)
        if timer == nil || at < timerFires { schedule(context, at: at) }
    }

    /// Sets the timer for `at`, or sooner: never later than the shortest timeout from now, so no deadline
    /// armed after this one can come before it (and none needs the timer moved).
    private func schedule(_ context: ChannelHandlerContext, at: NIODeadline) {
        timer?.cancel()
        timerFires = min(at, NIODeadline.now() + limits.shortest)
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: timerFires) {
            self.timer = nil
            guard let deadline = self.deadline else { return }
            if NIODeadline.now() < deadline.at { return self.schedule(context, at: deadline.at) }
            self.deadline = nil
            self.onClose(deadline.reason)
            context.close(promise: nil)
        }
    }

    /// Between a request's end and its answer no timeout runs; the timer, if set, finds nothing to do.
    private func pause() {
        deadline = nil
    }

    private func disarm() {
        deadline = nil
        timer?.cancel()
        timer = nil
    }
}

@available(*, unavailable)
extension ClientConnectionGuard: Sendable {}
