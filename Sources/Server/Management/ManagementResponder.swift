import Foundation
import Hummingbird
import Observability
import RelayModel
import Store

/// The management listener: `/healthz` (the process is alive), `/readyz` (configuration loaded, store
/// reachable, not draining) and, when `RELAY_ADMIN_TOKEN` is set, the admin API. Kept off the public
/// listener so probes and operators never share a port with senders.
struct ManagementResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let state: RelayState
    let store: (any DeliveryStore)?
    let storeHealth: StoreHealth
    let adminToken: String?
    let metrics: RelayMetrics
    let connections: @Sendable () -> (transfers: Int, connectionsOpened: Int)?
    let now: @Sendable () -> Date

    func respond(to request: Request, context: Context) async throws -> Response {
        let path = request.uri.path
        if path.hasPrefix("/admin/") { return await admin(request, path: path).response }
        guard request.method == .get || request.method == .head else { return Answer.methodNotAllowed(allow: "GET, HEAD").response }
        switch path {
        case "/healthz":
            return Answer(.ok, "alive").response
        case "/readyz":
            if state.isDraining { return Answer(.serviceUnavailable, "draining").response }
            if let store {
                do throws(StoreError) {
                    try await store.ping()
                } catch {
                    return Answer(.serviceUnavailable, "store_unreachable", [("reason", error.description)]).response
                }
                // Reads can work while every write fails (a full disk). Once a write has failed, each probe
                // tries one, so readiness comes back by itself when the store takes writes again.
                if storeHealth.writeFailure != nil {
                    do throws(StoreError) {
                        try await store.checkWritable()
                        storeHealth.writeSucceeded()
                    } catch {
                        storeHealth.writeFailed(error)
                        return Answer(.serviceUnavailable, "store_unwritable", [("reason", error.description)]).response
                    }
                }
            }
            return Answer(.ok, "ready").response
        case "/metrics":
            return await metricsResponse()
        default:
            return Answer.notFound.response
        }
    }

    /// Prometheus text. A store that cannot be read leaves its series out rather than failing the scrape:
    /// the counters still say what is happening, and `/readyz` says why.
    private func metricsResponse() async -> Response {
        let queue = try? await store?.statistics(now: now())
        let body = metrics.render(now: now(), queue: queue, connections: connections(), process: .read())
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    private func admin(_ request: Request, path: String) async -> Answer {
        guard let adminToken, let store else { return .notFound }
        let presented = request.headers[.authorization].flatMap { value -> String? in
            let parts = value.split(separator: " ", maxSplits: 1)
            return parts.count == 2 && String(parts[0]).caseInsensitiveEquals("Bearer") ? String(parts[1]) : nil
        }
        guard let presented, Crypto.constantTimeEqualsDigest(Array(presented.utf8), Array(adminToken.utf8)) else { return .unauthorized }

        let segments = path.split(separator: "/").map(String.init)
        let query = FormFields(parsing: request.uri.query.map { $0[...] } ?? "") ?? FormFields(pairs: [])
        do throws(StoreError) {
            switch (request.method, segments.count) {
            case (.get, 2) where segments[1] == "deliveries":
                var state: DeliveryState?
                if let text = query.first("state") {
                    guard let parsed = DeliveryState(rawValue: text) else {
                        return .badRequest("state is one of pending, delivered, dead, superseded")
                    }
                    state = parsed
                }
                let limit = query.first("limit").flatMap(Int.init) ?? 50
                let page = try await store.list(state: state, limit: limit, cursor: query.first("cursor"))
                let list = page.deliveries.map(DeliveryJSON.render).joined(separator: ",")
                let cursor = page.nextCursor.map(JSONText.quoted) ?? "null"
                return Answer(.ok, json: #"{"deliveries":[\#(list)],"next_cursor":\#(cursor)}"#)
            case (.get, 3) where segments[1] == "deliveries":
                guard let id = Int64(segments[2]), let delivery = try await store.delivery(id) else { return .notFound }
                return Answer(.ok, json: DeliveryJSON.render(delivery))
            case (.post, 3) where segments[1] == "deliveries" && segments[2] == "retry":
                guard query.first("state") == "dead" else { return .badRequest("only ?state=dead can be retried in bulk") }
                return Answer(.accepted, json: #"{"retried":\#(try await store.retryAllDead(now: now()))}"#)
            case (.post, 4) where segments[1] == "deliveries" && segments[3] == "retry":
                guard let id = Int64(segments[2]) else { return .notFound }
                switch try await store.retry(id, now: now()) {
                case .retried(let delivery): return Answer(.accepted, json: DeliveryJSON.render(delivery))
                case .notFound: return .notFound
                case .notDead(let state): return Answer(.conflict, "conflict", [("reason", "delivery is \(state.rawValue), not dead")])
                case .superseded:
                    return Answer(.conflict, "conflict", [("reason", "a newer event for this conversation exists; this one is now superseded")])
                }
            default:
                return .notFound
            }
        } catch {
            return Answer(.serviceUnavailable, "unavailable", [("reason", error.description)])
        }
    }
}

/// SPEC.md's `DELIVERY` object. Times are RFC 3339; `last_error` never holds the key (the worker
/// redacts it before it is stored).
public enum DeliveryJSON {
    public static func render(_ delivery: Delivery) -> String {
        func string(_ value: String?) -> String { value.map(JSONText.quoted) ?? "null" }
        return "{"
            + [
                #""id":\#(JSONText.quoted(String(delivery.id)))"#,
                #""route":\#(JSONText.quoted(delivery.route))"#,
                #""conversation_id":\#(JSONText.quoted(delivery.conversationID))"#,
                #""feedback":\#(JSONText.quoted(delivery.feedback.rawValue))"#,
                #""state":\#(JSONText.quoted(delivery.state.rawValue))"#,
                #""attempts":\#(delivery.attempts)"#,
                #""received_at":\#(JSONText.quoted(RFC3339.format(delivery.receivedAt)))"#,
                #""retried_at":\#(string(delivery.retriedAt.map(RFC3339.format)))"#,
                #""next_attempt_at":\#(delivery.state == .pending ? JSONText.quoted(RFC3339.format(delivery.nextAttemptAt)) : "null")"#,
                #""last_status":\#(delivery.lastStatus.map(String.init) ?? "null")"#,
                #""last_error":\#(string(delivery.lastError))"#,
            ].joined(separator: ",") + "}"
    }
}
