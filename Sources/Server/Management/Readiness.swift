import HTTPTypes
import Store

/// `/readyz`: ready unless draining, the store cannot be read, or the store refuses writes.
enum Readiness {
    static func answer(state: RelayState, store: (any DeliveryStore)?, storeHealth: StoreHealth) async -> Answer {
        if state.isDraining { return Answer(.serviceUnavailable, "draining") }
        guard let store else { return Answer(.ok, "ready") }
        do throws(StoreError) {
            try await store.ping()
        } catch {
            return Answer(.serviceUnavailable, "store_unreachable", [("reason", error.description)])
        }
        // Reads can work while every write fails (a full disk). Once a write has failed, each probe tries
        // one, so readiness comes back by itself when the store takes writes again.
        if storeHealth.writeFailure != nil {
            do throws(StoreError) {
                try await store.checkWritable()
                storeHealth.writeSucceeded()
            } catch {
                storeHealth.writeFailed(error)
                return Answer(.serviceUnavailable, "store_unwritable", [("reason", error.description)])
            }
        }
        return Answer(.ok, "ready")
    }
}
