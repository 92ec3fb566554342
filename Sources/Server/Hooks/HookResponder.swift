import Foundation
import HTTPTypes
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
/// `HookHandler` drives it from the event loop: `screen` with the head, `outcome` with the body, `finish`
/// with what that came to.
struct HookResponder: Sendable {
    /// How a verified event reaches ElevenLabs.
    enum Forwarding: Sendable {
        /// Call before answering, and pass the result on.
        case inline(UpstreamCall)
        /// Commit durably, answer 202, and let the worker deliver.
        case queue(any DeliveryStore, DeliveryWorker, dedupWindow: Duration)
    }

    /// What a request head allows before its body is read.
    enum Screening {
        /// Read the body for this route.
        case read(Route)
        /// The answer does not depend on the body: read it to its end unkept, then answer.
        case answerAfterBody(WebhookOutcome)
        /// Answer before reading the body, which will not be read (the connection closes after the answer).
        case answerNow(WebhookOutcome)
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

    func screen(_ head: HTTPRequest, record: inout RequestRecord) -> Screening {
        let target = head.path ?? ""
        let path = target.utf8.firstIndex(of: UInt8(ascii: "?")).map { String(target[..<$0]) } ?? target
        guard path.hasPrefix("/hooks/"), let route = routes[String(path.dropFirst(7))] else {
            return .answerAfterBody(.unknownRoute(path: path))
        }
        record.route = route.name
        guard head.method == .post else { return .answerAfterBody(.methodNotAllowed(method: head.method.rawValue)) }
        if state.isDraining { return .answerAfterBody(.draining) }
        if let length = head.headerFields.firstValue(.contentLength).flatMap(Int.init), length > maxBodyBytes {
            return .answerNow(.tooLarge("Content-Length \(length) is over RELAY_MAX_BODY_BYTES=\(maxBodyBytes)"))
        }
        return .read(route)
    }

    /// Verifies, maps and forwards a request read to its end. `completion` gets the outcome and the
    /// record with what was learned, on the event loop when nothing was forwarded, else on the thread
    /// the forwarding ended on.
    func outcome(
        of head: HTTPRequest,
        body: [UInt8],
        route: Route,
        record: RequestRecord,
        span: (any Span)?,
        completion: @escaping @Sendable (WebhookOutcome, RequestRecord) -> Void
    ) {
        var record = record
        let signed = SignedRequest(method: head.method.rawValue, target: head.path ?? "", headers: head.headerFields, body: body)
        let verifying = tracer.step("verify", of: span)
        let verdict = route.verifier.verify(signed, now: now())
        verifying?.end()
        if case .refused(let refusal) = verdict { return completion(.refused(refusal), record) }
        if let handshake = route.handshake?.answer(signed) { return completion(.handshake(handshake), record) }

        let mapped: MappingOutcome
        let mapping = tracer.step("map", of: span)
        do throws(PayloadError) {
            mapped = try route.mapping.map(RequestPayload(signed), route: route.name)
            mapping?.end()
        } catch {
            mapping?.end()
            return completion(.badBody(error), record)
        }
        switch mapped {
        case .ignored(let reason):
            completion(.ignored(reason), record)
        case .unprocessable(let reason):
            completion(.unprocessable(reason), record)
        case .feedback(let event):
            record.event = event
            switch forwarding {
            case .inline(let upstream):
                let calling = tracer.step("upstream call", of: span, kind: .client)
                upstream.send(conversationID: event.conversationID, feedback: event.feedback, route: route.name, to: route.upstream) {
                    [record] call in
                    calling?.end(with: call.result)
                    var record = record
                    record.upstreamDuration = call.duration
                    completion(.upstream(call.result), record)
                }
            case .queue(let store, let worker, let dedupWindow):
                let storing = tracer.step("store", of: span)
                let received = now()
                let delivery = NewDelivery(
                    event: event,
                    dedupKey: Self.dedupKey(of: event, body: body),
                    receivedAt: received,
                    traceParent: tracer.traceParent(of: span)
                )
                store.accept(delivery, now: received, dedupWindow: dedupWindow) { [record, storeHealth] result in
                    storing?.end()
                    switch result {
                    case .success(let accepted):
                        storeHealth.writeSucceeded()
                        switch accepted {
                        case .accepted(let id):
                            worker.wake()
                            completion(.accepted(id: id), record)
                        case .duplicate(let id):
                            completion(.duplicate(id: id), record)
                        }
                    case .failure(let error):
                        storeHealth.writeFailed(error)
                        completion(.storeFailed(error), record)
                    }
                }
            }
        }
    }

    /// Counts, logs and ends the span of a finished request, and gives its answer.
    func finish(
        _ outcome: WebhookOutcome,
        record: RequestRecord,
        method: HTTPRequest.Method,
        started: ContinuousClock.Instant,
        span: (any Span)?
    ) -> Answer {
        let answer = outcome.answer
        let duration = ContinuousClock.now - started
        if let span {
            span.updateAttributes { attributes in
                attributes["feedback_relay.route"] = record.route ?? ""
                attributes["feedback_relay.outcome"] = outcome.label.rawValue
                attributes["feedback_relay.request_id"] = record.id
                attributes["http.request.method"] = method.rawValue
                attributes["http.response.status_code"] = answer.status.code
            }
            if answer.status.code >= 500 { span.setStatus(SpanStatus(code: .error)) }
            span.end()
        }
        metrics.request(route: record.route, outcome: outcome.label, duration: duration)
        record.log(outcome, to: logger, status: answer.status.code, duration: duration)
        return answer
    }

    /// Queue mode's duplicate key: the sender's event id, else a hash of the route and the body.
    private static func dedupKey(of event: FeedbackEvent, body: [UInt8]) -> String {
        event.eventID.map { "id:" + $0 } ?? "sha256:" + Hex.encode(Crypto.sha256(Array(event.route.utf8) + [0x0a] + body))
    }
}
