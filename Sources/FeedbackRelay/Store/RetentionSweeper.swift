import Foundation
import Logging
import ServiceLifecycle

/// Keeps the store from growing without bound: deletes delivered and superseded events once their
/// dedup window has passed, and expired dedup keys. Dead events stay until someone retries them.
struct RetentionSweeper: Service {
    let store: any DeliveryStore
    let keep: Duration
    let interval: Duration
    let now: @Sendable () -> Date
    let logger: Logger

    func run() async throws {
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
