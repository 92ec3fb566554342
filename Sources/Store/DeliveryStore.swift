import Foundation
import RelayModel

public enum DeliveryState: String, Sendable, Codable, CaseIterable {
    /// Waiting for its next attempt (or in flight, while it holds a lease).
    case pending
    case delivered
    /// Refused by ElevenLabs, or out of retries: kept with the last answer until someone retries it.
    case dead
    /// A newer event for the same conversation came first; never sent.
    case superseded
}

/// One accepted event and what became of it.
public struct Delivery: Sendable, Equatable {
    public var id: Int64
    public var route: String
    public var conversationID: String
    public var feedback: Feedback
    public var eventID: String?
    /// The event's own time (the sender's, else arrival): newest wins per conversation.
    public var eventTime: Date
    public var state: DeliveryState
    public var attempts: Int
    /// When the sender's request was accepted; never rewritten.
    public var receivedAt: Date
    /// When an operator last made it pending again after it was dead; its retry window starts then.
    public var retriedAt: Date?
    public var nextAttemptAt: Date
    public var lastStatus: Int?
    public var lastError: String?
}

/// An event to make durable.
public struct NewDelivery: Sendable {
    public var route: String
    public var conversationID: String
    public var feedback: Feedback
    public var eventID: String?
    public var eventTime: Date
    /// The route's event id, else a hash of route and body.
    public var dedupKey: String

    public init(event: FeedbackEvent, dedupKey: String, receivedAt: Date) {
        route = event.route
        conversationID = event.conversationID
        feedback = event.feedback
        eventID = event.eventID
        eventTime = event.eventTime ?? receivedAt
        self.dedupKey = dedupKey
    }
}

public enum AcceptResult: Sendable, Equatable {
    /// Stored (pending, or superseded at once when a newer event for the conversation came first).
    case accepted(id: Int64)
    /// The same dedup key was accepted within the window; nothing new was stored.
    case duplicate(id: Int64)
}

/// How an attempt ended, as the worker decided from ElevenLabs' answer.
public enum AttemptResult: Sendable, Equatable {
    case delivered(status: Int)
    case retry(at: Date, status: Int?, error: String)
    case dead(status: Int?, error: String)
}

public enum RetryResult: Sendable, Equatable {
    case retried(Delivery)
    case notFound
    /// Only dead deliveries can be retried.
    case notDead(DeliveryState)
    /// A newer event for the conversation exists: sending this one now would undo it.
    case superseded
}

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
}

public struct DeliveryPage: Sendable, Equatable {
    public var deliveries: [Delivery]
    public var nextCursor: String?
}

public struct SweepResult: Sendable, Equatable {
    public var deliveries: Int
    public var dedupKeys: Int
}

/// The store could not do what was asked (disk full, read-only, locked, unreachable).
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// Durable deliveries. Every implementation passes the same contract tests (StoreContractTests).
public protocol DeliveryStore: Sendable {
    /// Commits each event durably before returning (concurrent calls may share one commit), deduplicated
    /// by route and key within `dedupWindow`, superseding older pending events of the same conversation.
    func accept(_ deliveries: NewDelivery, now: Date, dedupWindow: Duration) async throws(StoreError) -> AcceptResult
    /// Leases up to `limit` due deliveries until `leaseUntil`, never two of one conversation at once,
    /// and counts the attempt. A lease that runs out (the process died) makes the delivery due again.
    func claimDue(now: Date, limit: Int, leaseUntil: Date) async throws(StoreError) -> [Delivery]
    /// Ends an attempt and releases the lease.
    func record(_ id: Int64, _ result: AttemptResult, now: Date) async throws(StoreError)
    func delivery(_ id: Int64) async throws(StoreError) -> Delivery?
    func list(state: DeliveryState?, limit: Int, cursor: String?) async throws(StoreError) -> DeliveryPage
    func retry(_ id: Int64, now: Date) async throws(StoreError) -> RetryResult
    func retryAllDead(now: Date) async throws(StoreError) -> Int
    /// The earliest time a pending delivery falls due, for the worker's sleep.
    func nextDue() async throws(StoreError) -> Date?
    func count(state: DeliveryState) async throws(StoreError) -> Int
    /// How much work is waiting, for `/metrics`.
    func statistics(now: Date) async throws(StoreError) -> QueueStatistics
    /// Deletes finished deliveries finished before `before`, and expired dedup keys.
    func sweep(finishedBefore before: Date, now: Date) async throws(StoreError) -> SweepResult
    /// Succeeds when the store can be read (readiness).
    func ping() async throws(StoreError)
    /// Succeeds when the store can commit a write (readiness after a failed write).
    func checkWritable() async throws(StoreError)
}
