import ServiceLifecycle
import Store

/// Closes the store's connections once everything that uses it has stopped.
struct StoreCloser: Service {
    let store: any DeliveryStore

    func run() async throws {
        try? await gracefulShutdown()
        await store.close()
    }
}
