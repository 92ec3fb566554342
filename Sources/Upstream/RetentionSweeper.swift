import Foundation
import Logging
import RelayModel
import ServiceLifecycle
import Store

/// Keeps the store from growing without bound: deletes delivered and superseded events once their
/// dedup window has passed, and expired dedup keys. Dead events stay until someone retries them.
package struct RetentionSweeper: Service {
    package let store: any DeliveryStore
    package let keep: Duration
    package let interval: Duration
    package let now: @Sendable () -> Date
    package let logger: Logger

    package init(store: any DeliveryStore, keep: Duration, interval: Duration, now: @escaping @Sendable () -> Date, logger: Logger) {
        self.store = store
        self.keep = keep
        self.interval = interval
        self.now = now
        self.logger = logger
    }

    package func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let at = now()
                let swept = try await store.sweep(finishedBefore: at.addingTimeInterval(-keep.seconds), now: at)
                if swept.deliveries > 0 || swept.dedupKeys > 0 {
                    logger.info("retention sweep", metadata: ["deliveries": "\(swept.deliveries)", "dedup_keys": "\(swept.dedupKeys)"])
                }
            } catch {
                logger.error("retention sweep failed: \(error)")
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
