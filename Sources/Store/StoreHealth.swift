import NIOConcurrencyHelpers
import Synchronization

/// Whether the store takes writes, as the last write found out. A store can answer reads (`ping`) while
/// every write fails (a full disk), so readiness needs this as well.
public final class StoreHealth: Sendable {
    private let failing = Atomic(false)
    private let reason = NIOLockedValueBox<String?>(nil)

    public init() {}

    /// Why writes fail, or nil while they succeed.
    public var writeFailure: String? {
        guard failing.load(ordering: .relaxed) else { return nil }
        return reason.withLockedValue { $0 }
    }

    package func writeFailed(_ error: StoreError) {
        reason.withLockedValue { $0 = error.description }
        failing.store(true, ordering: .relaxed)
    }

    /// Cheap on the hot path: one atomic load unless a failure is being cleared.
    package func writeSucceeded() {
        guard failing.load(ordering: .relaxed) else { return }
        failing.store(false, ordering: .relaxed)
        reason.withLockedValue { $0 = nil }
    }
}
