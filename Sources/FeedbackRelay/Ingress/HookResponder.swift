import Foundation
import Hummingbird
import Logging
import NIOCore

/// `POST /hooks/{route}`: body limit, verification, mapping, then delivery; every answer from SPEC.md.
struct HookResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    /// How a verified event reaches ElevenLabs.
    enum Delivery: Sendable {
        /// Forward before answering, and pass the result on.
        case inline(any FeedbackSending)
        /// Commit durably, answer 202, and let the worker deliver.
        case queue(any DeliveryStore, DeliveryWorker, dedupWindow: Duration)
    }

    let routes: [String: Route]
    let delivery: Delivery
    let maxBodyBytes: Int
    let state: RelayState
    let now: @Sendable () -> Date

    func respond(to request: Request, context: Context) async throws -> Response {
        await answer(request, logger: context.logger).response
    }

    func answer(_ request: Request, logger: Logger) async -> Answer {
        let path = request.uri.path
        guard path.hasPrefix("/hooks/"), let route = routes[String(path.dropFirst(7))] else { return .notFound }
        // Metadata is attached when a line is written, so a request that logs nothing allocates none.
        let logger = RequestLog(logger: logger, route: route.name)
        guard request.method == .post else { return .methodNotAllowed(allow: "POST") }
        if state.isDraining {
            logger.info("refused: shutting down", metadata: ["outcome": "unavailable"])
            return .unavailable
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBodyBytes {
            logger.info("refused: body too large", metadata: ["outcome": "too_large", "bytes": "\(length)"])
            return .tooLarge
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maxBodyBytes)
        } catch is NIOTooManyBytesError {
            logger.info("refused: body too large", metadata: ["outcome": "too_large", "limit": "\(maxBodyBytes)"])
            return .tooLarge
        } catch {
            logger.info("refused: body could not be read", metadata: ["outcome": "bad_request", "error": "\(error)"])
            return .badRequest("the body could not be read")
        }

        var headers = Headers()
        for field in request.headers { headers.add(field.name.rawName, field.value) }
        let signed = SignedRequest(method: request.method.rawValue, target: request.uri.string, headers: headers, body: Array(buffer: body))

        if case .refused(let refusal) = route.verifier.verify(signed, now: now()) {
            logger.info("refused: \(refusal)", metadata: ["outcome": "unauthorized", "reason": "\(refusal.category)"])
            return .unauthorized
        }
        if let handshake = route.handshake?.answer(signed) {
            logger.info("answered handshake", metadata: ["outcome": "handshake"])
            return Answer(handshake)
        }

        let outcome: MappingOutcome
        do throws(PayloadError) {
            outcome = try route.mapping.map(RequestPayload(signed), route: route.name)
        } catch {
            logger.info("refused: \(error)", metadata: ["outcome": "bad_request"])
            return .badRequest(error.description)
        }
        switch outcome {
        case .ignored(let reason):
            logger.info("ignored: \(reason)", metadata: ["outcome": "ignored"])
            return .ignored(reason)
        case .unprocessable(let reason):
            logger.info("unprocessable: \(reason)", metadata: ["outcome": "unprocessable"])
            return .unprocessable(reason)
        case .feedback(let event):
            switch delivery {
            case .inline(let client):
                return await forward(event, route: route, client: client, logger: logger)
            case .queue(let store, let worker, let dedupWindow):
                return await enqueue(event, body: signed.body, store: store, worker: worker, dedupWindow: dedupWindow, logger: logger.about(event))
            }
        }
    }

    /// Queue mode: 202 only once the event is on disk.
    private func enqueue(
        _ event: FeedbackEvent,
        body: [UInt8],
        store: any DeliveryStore,
        worker: DeliveryWorker,
        dedupWindow: Duration,
        logger: RequestLog
    ) async -> Answer {
        let received = now()
        let key = event.eventID.map { "id:" + $0 } ?? "sha256:" + Hex.encode(Crypto.sha256(Array(event.route.utf8) + [0x0a] + body))
        do throws(StoreError) {
            switch try await store.accept(NewDelivery(event: event, dedupKey: key, receivedAt: received), now: received, dedupWindow: dedupWindow) {
            case .accepted(let id):
                worker.wake()
                logger.debug("accepted", metadata: ["outcome": "accepted", "delivery_id": "\(id)"])
                return Answer(.accepted, "accepted", [("id", String(id))])
            case .duplicate(let id):
                logger.info("duplicate", metadata: ["outcome": "duplicate", "delivery_id": "\(id)"])
                return Answer(.ok, "duplicate", [("id", String(id))])
            }
        } catch {
            logger.error("cannot store the event: \(error)", metadata: ["outcome": "unavailable"])
            return .unavailable
        }
    }

    /// Inline delivery: the sender hears what ElevenLabs said.
    private func forward(_ event: FeedbackEvent, route: Route, client: any FeedbackSending, logger: RequestLog) async -> Answer {
        let request = FeedbackRequest(baseURL: route.baseURL, apiKey: route.apiKey, conversationID: event.conversationID, feedback: event.feedback)
        let started = ContinuousClock.now
        let outcome = await client.send(request)
        let elapsed = ContinuousClock.now - started
        let logger = logger.about(event)
        switch outcome {
        case .response(let status, _, _) where (200..<300).contains(status):
            logger.debug("forwarded", metadata: ["outcome": "forwarded", "upstream_status": "\(status)", "upstream_seconds": "\(elapsed.seconds)"])
            return .forwarded
        case .response(let status, let body, _):
            let retryable = outcome.isRetryable
            logger.warning(
                "upstream answered \(status)",
                metadata: [
                    "outcome": .string(retryable ? "upstream_failed" : "upstream_rejected"), "upstream_status": "\(status)",
                    "upstream_body": .string(UpstreamExcerpt.text(body, bytes: 512, redacting: route.apiKey)),
                    "upstream_seconds": "\(elapsed.seconds)",
                ]
            )
            return retryable ? .upstreamFailed(status) : .upstreamRejected(status)
        case .failure(let failure):
            logger.warning(
                "upstream unreachable: \(failure)",
                metadata: ["outcome": "upstream_failed", "upstream_seconds": "\(elapsed.seconds)"]
            )
            return .upstreamFailed(nil)
        }
    }
}

/// A request's logger: the route (and, once known, the conversation) are added only to lines written.
struct RequestLog {
    let logger: Logger
    let route: String
    var event: FeedbackEvent?

    func about(_ event: FeedbackEvent) -> RequestLog {
        RequestLog(logger: logger, route: route, event: event)
    }

    private func log(_ level: Logger.Level, _ message: @autoclosure () -> Logger.Message, _ metadata: Logger.Metadata) {
        var metadata = metadata
        metadata["route"] = .string(route)
        if let event {
            metadata["conversation_id"] = .string(event.conversationID)
            metadata["feedback"] = .string(event.feedback.rawValue)
        }
        logger.log(level: level, message(), metadata: metadata)
    }

    func debug(_ message: @autoclosure () -> Logger.Message, metadata: @autoclosure () -> Logger.Metadata = [:]) {
        guard logger.logLevel <= .debug else { return }
        log(.debug, message(), metadata())
    }

    func info(_ message: @autoclosure () -> Logger.Message, metadata: @autoclosure () -> Logger.Metadata = [:]) {
        guard logger.logLevel <= .info else { return }
        log(.info, message(), metadata())
    }

    func warning(_ message: @autoclosure () -> Logger.Message, metadata: @autoclosure () -> Logger.Metadata = [:]) {
        guard logger.logLevel <= .warning else { return }
        log(.warning, message(), metadata())
    }

    func error(_ message: @autoclosure () -> Logger.Message, metadata: @autoclosure () -> Logger.Metadata = [:]) {
        guard logger.logLevel <= .error else { return }
        log(.error, message(), metadata())
    }
}
