import Foundation
import Hummingbird
import Observability
import Store

/// The management listener: `/healthz` (the process is alive), `/readyz` (configuration loaded, store
/// reachable, not draining), `/metrics` and, when `RELAY_ADMIN_TOKEN` is set in queue mode, the admin API.
/// Kept off the public listener so probes and operators never share a port with senders.
enum ManagementRouter {
    static func responder(
        state: RelayState,
        store: (any DeliveryStore)?,
        storeHealth: StoreHealth,
        adminToken: String?,
        metrics: RelayMetrics,
        connections: @escaping @Sendable () -> (transfers: Int, connectionsOpened: Int)?,
        now: @escaping @Sendable () -> Date
    ) -> RouterResponder<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self, options: .autoGenerateHeadEndpoints)
        let admin = store.flatMap { store in adminToken.map { AdminAPI(store: store, token: $0, now: now) } }
        router.add(middleware: ManagementGate(admin: admin))
        router.get("/healthz") { _, _ in Answer(.ok, "alive").response }
        router.get("/readyz") { _, _ in await Readiness.answer(state: state, store: store, storeHealth: storeHealth).response }
        router.get("/metrics") { _, _ in
            // A store that cannot be read leaves its series out rather than failing the scrape: the counters
            // still say what is happening, and `/readyz` says why.
            let queue = try? await store?.statistics(now: now())
            let body = metrics.render(now: now(), queue: queue, connections: connections(), process: .read())
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        admin?.register(on: router)
        return router.buildResponder()
    }
}
