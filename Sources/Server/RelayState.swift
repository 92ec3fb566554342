import Synchronization

/// Process-wide flags the listeners read: draining starts when graceful shutdown does.
public final class RelayState: Sendable {
    private let draining = Atomic(false)

    public init() {}

    public var isDraining: Bool { draining.load(ordering: .relaxed) }

    public func startDraining() {
        draining.store(true, ordering: .relaxed)
    }
}
