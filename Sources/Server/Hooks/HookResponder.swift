import Foundation
import Hummingbird
import Logging
import Mapping
import NIOCore
import Observability
import RelayModel
import Settings
import Store
import Tracing
import Upstream
import Verification

/// `POST /hooks/{route}`: body limit, verification, mapping, then delivery; every answer from the README.
struct HookResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    /// How a verified event reaches ElevenLabs.
    enum Forwarding: Sendable {
        /// Call before answering, and pass the result on.
        case inline(UpstreamCall)
        /// Commit durably, answer 202, and let the worker deliver.
        case queue(any DeliveryStore, DeliveryWorker, dedupWindow: Duration)
    }

    let routes: [String: Route]
    let forwarding: Forwarding
    let maxBodyBytes: Int
    let state: RelayState
    let storeHealth: StoreHealth
    let metrics: RelayMetrics
    let tracer: RelayTracer
    let logger: Logger
    let now: @Sendable () -> Date

    func respond(to request: Request, context: Context) async throws -> Response {
        let started = ContinuousClock.now
        var record = RequestRecord(id: RequestID.take(from: request.headers[RequestID.header], otherwise: context.id))
        let span = tracer.webhook(headers: request.headers)
        let outcome = await outcome(of: request, record: &record, span: span)
        let answer = outcome.answer
        let duration = ContinuousClock.now - started
        if let span {
            span.updateAttributes { attributes in
                attributes["feedback_relay.route"] = record.route ?? ""
                attributes["feedback_relay.outcome"] = outcome.label.rawValue
                attributes["feedback_relay.request_id"] = record.id
                attributes["http.request.method"] = request.method.rawValue
                attributes["http.response.status_code"] = answer.status.code
            }
            if answer.status.code >= 500 { span.setStatus(SpanStatus(code: .error)) }
            span.end()
        }
        metrics.request(route: record.route, outcome: outcome.label, duration: duration)
        record.log(outcome, to: logger, status: answer.status.code, duration: duration)
        var response = answer.response
        response.headers[RequestID.header] = record.id
        return response
    }

    func outcome(of request: Request, record: inout RequestRecord, span: (any Span)?) async -> WebhookOutcome {
        let path = request.uri.path
        guard path.hasPrefix("/hooks/"), let route = routes[String(path.dropFirst(7))] else { return .unknownRoute(path: path) }
        record.route = route.name
        guard request.method == .post else { return .methodNotAllowed(method: request.method.rawValue) }
        if state.isDraining { return .draining }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBodyBytes {
            return .tooLarge("Content-Length \(length) is over RELAY_MAX_BODY_BYTES=\(maxBodyBytes)")
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maxBodyBytes)
        } catch is NIOTooManyBytesError {
            return .tooLarge("body is over RELAY_MAX_BODY_BYTES=\(maxBodyBytes)")
        } catch {
            return .unreadableBody("\(error)")
        }

        let signed = SignedRequest(method: request.method.rawValue, target: request.uri.string, headers: request.headers, body: Array(buffer: body))
        let verifying = tracer.step("verify", of: span)
        let verdict = route.verifier.verify(signed, now: now())
        verifying?.end()
        if case .refused(let refusal) = verdict { return .refused(refusal) }
        if let handshake = route.handshake?.answer(signed) { return .handshake(handshake) }

        let mapped: MappingOutcome
        let mapping = tracer.step("map", of: span)
        do throws(PayloadError) {
            mapped = try route.mapping.map(RequestPayload(signed), route: route.name)
            mapping?.end()
        } catch {
            mapping?.end()
            return .badBody(error)
        }
        switch mapped {
        case .ignored(let reason):
            return .ignored(reason)
        case .unprocessable(let reason):
            return .unprocessable(reason)
        case .feedback(let event):
            record.event = event
            switch forwarding {
            case .inline(let upstream):
                let calling = tracer.step("upstream call", of: span, kind: .client)
                let call = await upstream.send(conversationID: event.conversationID, feedback: event.feedback, route: route.name, to: route.upstream)
                calling?.end(with: call.result)
                record.upstreamDuration = call.duration
                return .upstream(call.result)
            case .queue(let store, let worker, let dedupWindow):
                let storing = tracer.step("store", of: span)
                defer { storing?.end() }
                return await enqueue(
                    event,
                    body: signed.body,
                    traceParent: tracer.traceParent(of: span),
                    store: store,
                    worker: worker,
                    dedupWindow: dedupWindow
                )
            }
        }
    }

    /// Queue mode: 202 only once the event is on disk.
    private func enqueue(
        _ event: FeedbackEvent,
        body: [UInt8],
        traceParent: String?,
        store: any DeliveryStore,
        worker: DeliveryWorker,
        dedupWindow: Duration
    ) async
        -> WebhookOutcome
    {
        let received = now()
        let key = event.eventID.map { "id:" + $0 } ?? "sha256:" + Hex.encode(Crypto.sha256(Array(event.route.utf8) + [0x0a] + body))
        do throws(StoreError) {
            let result = try await store.accept(
                NewDelivery(event: event, dedupKey: key, receivedAt: received, traceParent: traceParent),
                now: received,
                dedupWindow: dedupWindow
            )
            storeHealth.writeSucceeded()
            switch result {
            case .accepted(let id):
                worker.wake()
                return .accepted(id: id)
            case .duplicate(let id):
                return .duplicate(id: id)
            }
        } catch {
            storeHealth.writeFailed(error)
            return .storeFailed(error)
        }
    }
}
