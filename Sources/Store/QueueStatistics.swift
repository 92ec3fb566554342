import Foundation
import RelayModel

/// The queue as an operator watches it.
public struct QueueStatistics: Sendable, Equatable {
    /// Pending and not leased: waiting for their first or next attempt.
    public var waiting: Int
    /// Pending and leased: an attempt is under way.
    public var inFlight: Int
    public var dead: Int
    /// When the oldest pending event arrived.
    public var oldestPendingReceivedAt: Date?

    public init(waiting: Int, inFlight: Int, dead: Int, oldestPendingReceivedAt: Date?) {
        self.waiting = waiting
        self.inFlight = inFlight
        self.dead = dead
        self.oldestPendingReceivedAt = oldestPendingReceivedAt
    }

    /// From what each store counts: every pending event, those of them leased, the dead, and when the
    /// oldest pending one arrived (seconds since 1970).
    init(pending: Int, leased: Int, dead: Int, oldestPendingReceivedAt seconds: Double?) {
        self.init(waiting: pending - leased, inFlight: leased, dead: dead, oldestPendingReceivedAt: seconds.map(Date.init(timeIntervalSince1970:)))
    }
}
