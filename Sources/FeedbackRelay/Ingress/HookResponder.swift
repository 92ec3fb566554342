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
    let storeHealth: StoreHealth
    let metrics: RelayMetrics
    let logger: Logger
    let now: @Sendable () -> Date

    func respond(to request: Request, context: Context) async throws -> Response {
        let started = ContinuousClock.now
        var record = RequestRecord(id: RequestID.take(from: request.headers[RequestID.header]))
        let answer = await answer(request, record: &record)
        let duration = ContinuousClock.now - started
        metrics.request(route: record.route, outcome: record.outcome, duration: duration)
        record.log(to: logger, status: answer.status.code, duration: duration)
        var response = answer.response
        response.headers[RequestID.header] = record.id
        return response
    }

    func answer(_ request: Request, record: inout RequestRecord) async -> Answer {
        let path = request.uri.path
        guard path.hasPrefix("/hooks/"), let route = routes[String(path.dropFirst(7))] else {
            record.outcome = .unknownRoute
            record.reason = "no route is configured for \(path.prefix(200))"
            return .notFound
        }
        record.route = route.name
        guard request.method == .post else {
            record.outcome = .methodNotAllowed
            record.reason = "method \(request.method.rawValue) (only POST)"
            return .methodNotAllowed(allow: "POST")
        }
        if state.isDraining {
            record.outcome = .unavailable
            record.reason = "shutting down"
            return .unavailable
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBodyBytes {
            record.outcome = .tooLarge
            record.reason = "Content-Length \(length) is over RELAY_MAX_BODY_BYTES=\(maxBodyBytes)"
            return .tooLarge
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maxBodyBytes)
        } catch is NIOTooManyBytesError {
            record.outcome = .tooLarge
            record.reason = "body is over RELAY_MAX_BODY_BYTES=\(maxBodyBytes)"
            return .tooLarge
        } catch {
            record.outcome = .badBody
            record.reason = "the body could not be read: \(error)"
            return .badRequest("the body could not be read")
        }

        var headers = Headers()
        for field in request.headers { headers.add(field.name.rawName, field.value) }
        let signed = SignedRequest(method: request.method.rawValue, target: request.uri.string, headers: headers, body: Array(buffer: body))

        if case .refused(let refusal) = route.verifier.verify(signed, now: now()) {
            record.outcome = refusal.outcome
            record.reason = refusal.description
            return .unauthorized
        }
        if let handshake = route.handshake?.answer(signed) {
            record.outcome = .handshake
            return Answer(handshake)
        }

        let outcome: MappingOutcome
        do throws(PayloadError) {
            outcome = try route.mapping.map(RequestPayload(signed), route: route.name)
        } catch {
            record.outcome = .badBody
            record.reason = error.description
            return .badRequest(error.description)
        }
        switch outcome {
        case .ignored(let reason):
            record.outcome = .ignored
            record.reason = reason
            return .ignored(reason)
        case .unprocessable(let reason):
            record.outcome = .badConversationID
            record.reason = reason
            return .unprocessable(reason)
        case .feedback(let event):
            record.event = event
            switch delivery {
            case .inline(let client):
                return await forward(event, route: route, client: client, record: &record)
            case .queue(let store, let worker, let dedupWindow):
                return await enqueue(event, body: signed.body, store: store, worker: worker, dedupWindow: dedupWindow, record: &record)
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
        record: inout RequestRecord
    ) async -> Answer {
        let received = now()
        let key = event.eventID.map { "id:" + $0 } ?? "sha256:" + Hex.encode(Crypto.sha256(Array(event.route.utf8) + [0x0a] + body))
        do throws(StoreError) {
            let result = try await store.accept(
                NewDelivery(event: event, dedupKey: key, receivedAt: received),
                now: received,
                dedupWindow: dedupWindow
            )
            storeHealth.writeSucceeded()
            switch result {
            case .accepted(let id):
                worker.wake()
                record.outcome = .accepted
                record.deliveryID = id
                return Answer(.accepted, "accepted", [("id", String(id))])
            case .duplicate(let id):
                record.outcome = .duplicate
                record.deliveryID = id
                return Answer(.ok, "duplicate", [("id", String(id))])
            }
        } catch {
            storeHealth.writeFailed(error)
            record.outcome = .unavailable
            record.reason = "cannot store the event: \(error)"
            return .unavailable
        }
    }

    /// Inline delivery: the sender hears what ElevenLabs said.
    private func forward(_ event: FeedbackEvent, route: Route, client: any FeedbackSending, record: inout RequestRecord) async -> Answer {
        let request = FeedbackRequest(baseURL: route.baseURL, apiKey: route.apiKey, conversationID: event.conversationID, feedback: event.feedback)
        let started = ContinuousClock.now
        let outcome = await client.send(request)
        let elapsed = ContinuousClock.now - started
        metrics.upstreamCall(route: route.name, outcome: outcome, duration: elapsed)
        record.upstreamDuration = elapsed
        switch outcome {
        case .response(let status, _, _) where (200..<300).contains(status):
            record.outcome = .forwarded
            record.upstreamStatus = status
            return .forwarded
        case .response(let status, let body, _):
            let retryable = outcome.isRetryable
            record.outcome = retryable ? .upstreamFailed : .upstreamRejected
            record.upstreamStatus = status
            record.reason = "upstream answered \(status): " + UpstreamExcerpt.text(body, bytes: 512, redacting: route.apiKey)
            return retryable ? .upstreamFailed(status) : .upstreamRejected(status)
        case .failure(let failure):
            record.outcome = .upstreamFailed
            record.reason = "upstream unreachable: \(failure)"
            return .upstreamFailed(nil)
        }
    }
}
