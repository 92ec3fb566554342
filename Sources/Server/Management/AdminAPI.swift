import Foundation
import Hummingbird
import RelayModel
import Store

/// `/admin/deliveries`: list, show and retry stored deliveries, behind `Authorization: Bearer <RELAY_ADMIN_TOKEN>`.
struct AdminAPI: Sendable {
    let store: any DeliveryStore
    let token: String
    let now: @Sendable () -> Date

    /// Compared by digest, so neither the token's content nor its length leaks through timing.
    func authorizes(_ request: Request) -> Bool {
        guard let value = request.headers[.authorization] else { return false }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, String(parts[0]).caseInsensitiveEquals("Bearer") else { return false }
        return Crypto.constantTimeEqualsDigest(Array(parts[1].utf8), Array(token.utf8))
    }

    func register(on router: Router<BasicRequestContext>) {
        router.get("/admin/deliveries") { request, _ in await answer { try await list(request) } }
        router.get("/admin/deliveries/{id}") { _, context in
            await answer {
                guard let id = context.parameters.get("id").flatMap(Int64.init), let delivery = try await store.delivery(id) else {
                    return Answer.notFound.response
                }
                return try DeliveryBody(delivery).response()
            }
        }
        router.post("/admin/deliveries/retry") { request, _ in
            await answer {
                guard request.uri.queryParameters["state"] == "dead" else {
                    return Answer.badRequest("only ?state=dead can be retried in bulk").response
                }
                return try RetriedBody(retried: try await store.retryAllDead(now: now())).response(status: .accepted)
            }
        }
        router.post("/admin/deliveries/{id}/retry") { _, context in
            await answer {
                guard let id = context.parameters.get("id").flatMap(Int64.init) else { return Answer.notFound.response }
                switch try await store.retry(id, now: now()) {
                case .retried(let delivery): return try DeliveryBody(delivery).response(status: .accepted)
                case .notFound: return Answer.notFound.response
                case .notDead(let state): return Answer(.conflict, "conflict", [("reason", "delivery is \(state.rawValue), not dead")]).response
                case .superseded:
                    return Answer(.conflict, "conflict", [("reason", "a newer event for this conversation exists; this one is now superseded")])
                        .response
                }
            }
        }
    }

    private func list(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        var state: DeliveryState?
        if let text = query["state"] {
            guard let parsed = DeliveryState(rawValue: String(text)) else {
                return Answer.badRequest("state is one of pending, delivered, dead, superseded").response
            }
            state = parsed
        }
        let limit = query["limit"].flatMap { Int(String($0)) } ?? 50
        let page = try await store.list(state: state, limit: limit, cursor: query["cursor"].map(String.init))
        return try DeliveryPageBody(deliveries: page.deliveries.map(DeliveryBody.init), nextCursor: page.nextCursor).response()
    }

    /// A store that fails answers 503 with its reason, like a webhook would.
    private func answer(_ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch {
            return Answer(.serviceUnavailable, "unavailable", [("reason", "\(error)")]).response
        }
    }
}
