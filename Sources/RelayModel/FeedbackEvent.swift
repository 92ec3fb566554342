import Foundation

/// What a verified webhook means: feedback for one conversation.
public struct FeedbackEvent: Sendable, Equatable {
    public var route: String
    public var conversationID: String
    public var feedback: Feedback
    /// The sender's delivery or event id, when the route selects one.
    public var eventID: String?
    /// When the sender says the event happened, when the route selects it.
    public var eventTime: Date?

    public init(route: String, conversationID: String, feedback: Feedback, eventID: String? = nil, eventTime: Date? = nil) {
        self.route = route
        self.conversationID = conversationID
        self.feedback = feedback
        self.eventID = eventID
        self.eventTime = eventTime
    }
}
