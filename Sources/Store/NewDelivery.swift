import Foundation
import RelayModel

/// An event to make durable.
public struct NewDelivery: Sendable {
    public var route: String
    public var conversationID: String
    public var feedback: Feedback
    public var eventID: String?
    public var eventTime: Date
    /// The route's event id, else a hash of route and body.
    public var dedupKey: String
    /// The W3C `traceparent` of the webhook's span, when tracing is on, so delivery links back to it.
    public var traceParent: String?

    public init(event: FeedbackEvent, dedupKey: String, receivedAt: Date, traceParent: String? = nil) {
        route = event.route
        conversationID = event.conversationID
        feedback = event.feedback
        eventID = event.eventID
        eventTime = event.eventTime ?? receivedAt
        self.dedupKey = dedupKey
        self.traceParent = traceParent
    }
}
