import Foundation
import Hummingbird
import Logging
import NIOCore
import Observability
import ServiceLifecycle
import Settings
import Store
import UnixSignals
import Upstream

/// Last in the group, so first to hear of shutdown: from then on webhooks get 503 and `/readyz` fails,
/// while the listeners finish what they have.
struct DrainOnShutdown: Service {
    let state: RelayState

    func run() async throws {
        try? await gracefulShutdown()
        state.startDraining()
    }
}
