import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import Observability
import RelayModel
import Settings
import Tracing

/// One client connection of the webhook listener. A request is read, verified and mapped on the
/// channel's event loop, with no task or async stream per request; only its forwarding leaves the loop
/// (to the curl thread inline, to the store's group commit in queue mode) and its answer comes back to it.
/// `ClientConnectionGuard`, before it in the pipeline, owns timeouts and when the connection closes.
/// It takes NIO's HTTP/1 parts itself, with no conversion handler between: the head becomes an
/// `HTTPRequest` here, and the answer goes out as NIO's response head.
final class HookHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// A request from its head on. A class: the state holding it is copied at each `switch` on it, and
    /// a reference copies in one retain where these fields took a dozen.
    private final class Request {
        let head: HTTPRequest
        let started: ContinuousClock.Instant
        let span: (any Span)?
        let record: RequestRecord

        init(head: HTTPRequest, started: ContinuousClock.Instant, span: (any Span)?, record: RequestRecord) {
            (self.head, self.started, self.span, self.record) = (head, started, span, record)
        }
    }

    private enum State {
        /// Waiting for a head.
        case idle
        case reading(Request, Route, body: [UInt8])
        /// The answer does not depend on the body: what is left of it is dropped, then it is given.
        case discarding(Request, WebhookOutcome)
        /// The request is read; its outcome is being made. Parts of a pipelined next one wait.
        case answering(Request)
        /// Answered before the body was read: the guard closes the connection; nothing more is read.
        case closing
    }

    private let responder: HookResponder
    private var state = State.idle
    private var waiting = CircularBuffer<HTTPServerRequestPart>()
    /// A read asked for while parts of a pipelined request already wait, made once the answer is written
    /// (further pipelined requests wait in the socket, not in memory).
    private var readHeld = false
    /// The client closed its side: the connection closes once nothing is being answered.
    private var inputClosed = false

    init(responder: HookResponder) {
        self.responder = responder
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch state {
        case .answering: waiting.append(part)
        case .closing: break
        case .idle, .reading, .discarding: handle(part, context: context)
        }
    }

    func read(context: ChannelHandlerContext) {
        // While answering, reads go on until a pipelined part arrives. A client that waits for each answer
        // sends nothing meanwhile, and a held read would cost two epoll_ctl calls per request: NIO stops
        // watching the socket when no read is pending and watches it again at the next read.
        if case .answering = state, !waiting.isEmpty {
            readHeld = true
        } else {
            context.read()
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A parser error mid-body: the guard closes the connection after this request's answer.
        switch state {
        case .reading(let request, _, _) where error is HTTPParserError:
            state = .closing
            answer(.unreadableBody("\(error)"), for: request, context: context)
        case .discarding(let request, let outcome) where error is HTTPParserError:
            state = .closing
            answer(outcome, for: request, context: context)
        default:
            context.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case ChannelEvent.inputClosed = event else { return context.fireUserInboundEventTriggered(event) }
        inputClosed = true
        switch state {
        case .answering, .closing: break
        case .idle, .reading, .discarding: context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        // The client went away mid-request: counted and logged like any other end, nothing written.
        switch state {
        case .reading(let request, _, _):
            state = .closing
            _ = finish(.unreadableBody("the connection closed before the body's end"), record: request.record, request: request)
        case .discarding(let request, let outcome):
            state = .closing
            _ = finish(outcome, record: request.record, request: request)
        case .idle, .answering, .closing:
            break
        }
        context.fireChannelInactive()
    }

    private func handle(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch (part, state) {
        case (.head(let http1Head), .idle):
            let started = ContinuousClock.now
            let head: HTTPRequest
            do {
                head = try HTTPRequest(hookHead: http1Head)
            } catch {
                return errorCaught(context: context, error: error)
            }
            var record = RequestRecord(id: RequestID.take(from: head.headerFields[RequestID.header], otherwise: RequestID.next()))
            let span = responder.tracer.webhook(headers: head.headerFields)
            let screening = responder.screen(head, record: &record)
            let request = Request(head: head, started: started, span: span, record: record)
            switch screening {
            case .read(let route):
                state = .reading(request, route, body: [])
            case .answerAfterBody(let outcome):
                state = .discarding(request, outcome)
            case .answerNow(let outcome):
                state = .closing
                answer(outcome, for: request, context: context)
            }
        case (.body(let buffer), .reading(let request, let route, var body)):
            guard body.count + buffer.readableBytes <= responder.maxBodyBytes else {
                state = .closing
                answer(.tooLarge("body is over RELAY_MAX_BODY_BYTES=\(responder.maxBodyBytes)"), for: request, context: context)
                return
            }
            state = .idle  // so `body` is the array's only reference, and grows in place
            body.append(contentsOf: buffer.readableBytesView)
            state = .reading(request, route, body: body)
        case (.body, .discarding):
            break
        case (.end, .reading(let request, let route, let body)):
            state = .answering(request)
            let loop = context.eventLoop
            let handler = NIOLoopBound((self, context), eventLoop: loop)
            responder.outcome(of: request.head, body: body, route: route, record: request.record, span: request.span) { outcome, record in
                if loop.inEventLoop {
                    handler.value.0.answered(outcome, record: record, context: handler.value.1)
                } else {
                    loop.execute { handler.value.0.answered(outcome, record: record, context: handler.value.1) }
                }
            }
        case (.end, .discarding(let request, let outcome)):
            state = .answering(request)
            answered(outcome, record: request.record, context: context)
        default:
            // A part out of order: NIO's decoder does not make one, so this connection is not HTTP/1 as expected.
            state = .closing
            context.close(promise: nil)
        }
    }

    /// The outcome of the request being answered is known: answer it, then take up what waits.
    private func answered(_ outcome: WebhookOutcome, record: RequestRecord, context: ChannelHandlerContext) {
        guard case .answering(let request) = state else { return }
        write(finish(outcome, record: record, request: request), requestID: record.id, method: request.head.method, context: context)
        state = .idle
        drain: while !waiting.isEmpty {
            switch state {
            case .idle, .reading, .discarding: handle(waiting.removeFirst(), context: context)
            case .answering, .closing: break drain
            }
        }
        if case .answering = state { return }
        if inputClosed, case .idle = state { return context.close(promise: nil) }
        if readHeld {
            readHeld = false
            context.read()
        }
    }

    private func answer(_ outcome: WebhookOutcome, for request: Request, context: ChannelHandlerContext) {
        write(finish(outcome, record: request.record, request: request), requestID: request.record.id, method: request.head.method, context: context)
    }

    private func finish(_ outcome: WebhookOutcome, record: RequestRecord, request: Request) -> Answer {
        responder.finish(outcome, record: record, method: request.head.method, started: request.started, span: request.span)
    }

    private func write(_ answer: Answer, requestID: String, method: HTTPRequest.Method, context: ChannelHandlerContext) {
        let (head, body) = answer.parts(requestID: requestID, date: HTTPDate.shared.now, for: method)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if let body { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}

@available(*, unavailable)
extension HookHandler: Sendable {}
