import Foundation
import RelayModel

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
    /// The webhook span's `traceparent`, kept from the accept (README, Tracing).
    public var traceParent: String? = nil
}
