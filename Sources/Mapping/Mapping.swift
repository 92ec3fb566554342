import Foundation
import RelayModel

/// A route's rules for finding the conversation id and the like/dislike in a verified request.
public struct Mapping: Sendable {
    public var conversationID: Selector
    public var conversationIDPattern: CapturePattern?
    public var feedback: Selector
    public var feedbackPattern: CapturePattern?
    public var like: ValueRule
    public var dislike: ValueRule
    public var match: MatchRule?
    public var eventID: Selector?
    public var eventTime: Selector?

    package init(
        conversationID: Selector,
        conversationIDPattern: CapturePattern?,
        feedback: Selector,
        feedbackPattern: CapturePattern?,
        like: ValueRule,
        dislike: ValueRule,
        match: MatchRule?,
        eventID: Selector?,
        eventTime: Selector?
    ) {
        self.conversationID = conversationID
        self.conversationIDPattern = conversationIDPattern
        self.feedback = feedback
        self.feedbackPattern = feedbackPattern
        self.like = like
        self.dislike = dislike
        self.match = match
        self.eventID = eventID
        self.eventTime = eventTime
    }

    /// - Parameter trace: collects each step's selected value and decision, for `test-route`.
    package func map(_ payload: RequestPayload, route: String, trace: MappingTrace? = nil) throws(PayloadError) -> MappingOutcome {
        if let match {
            let value = try payload.text(match.selector)
            trace?.note("match", "\(match.selector) is \(MappingTrace.show(value)); wanted \(match.values)")
            guard let value, match.values.matches(value) else {
                return .ignored("\(match.selector) is \(value.map { "'\($0)'" } ?? "missing"), not \(match.values)")
            }
        }
        let selected = try payload.text(feedback)
        trace?.note("feedback", "\(feedback) is \(MappingTrace.show(selected))")
        guard var feedbackText = selected else { return .ignored("no feedback value at \(feedback)") }
        if let feedbackPattern {
            let captured = feedbackPattern.capture(in: feedbackText)
            trace?.note("feedback", "FEEDBACK_PATTERN \(feedbackPattern) captures \(MappingTrace.show(captured))")
            guard let captured else {
                return .ignored("feedback value at \(feedback) does not match FEEDBACK_PATTERN")
            }
            feedbackText = captured
        }
        let decision: Feedback
        if like.matches(feedbackText) {
            decision = .like
        } else if dislike.matches(feedbackText) {
            decision = .dislike
        } else {
            trace?.note("decision", "'\(feedbackText.prefix(64))' is neither LIKE (\(like)) nor DISLIKE (\(dislike))")
            return .ignored("feedback value '\(feedbackText.prefix(64))' is neither like (\(like)) nor dislike (\(dislike))")
        }
        trace?.note(
            "decision",
            "'\(feedbackText.prefix(64))' is \(decision == .like ? "LIKE (\(like))" : "DISLIKE (\(dislike))") → \(decision.rawValue)"
        )

        let selectedID = try payload.text(conversationID)
        trace?.note("conversation", "\(conversationID) is \(MappingTrace.show(selectedID))")
        guard var conversation = selectedID else { return .unprocessable("no conversation id at \(conversationID)") }
        if let conversationIDPattern {
            let captured = conversationIDPattern.capture(in: conversation)
            trace?.note("conversation", "CONVERSATION_ID_PATTERN \(conversationIDPattern) captures \(MappingTrace.show(captured))")
            guard let captured else {
                return .unprocessable("conversation id at \(conversationID) does not match CONVERSATION_ID_PATTERN")
            }
            conversation = captured
        }
        guard ConversationID.isValid(conversation) else {
            return .unprocessable("conversation id at \(conversationID) is not 1 to 128 of A-Z a-z 0-9 _ -")
        }

        var event = FeedbackEvent(route: route, conversationID: conversation, feedback: decision)
        if let eventID { event.eventID = try payload.text(eventID) }
        if let eventTime, let value = try payload.value(eventTime) { event.eventTime = Self.date(from: value) }
        if let trace {
            trace.note("event id", eventID.map { "\($0) is \(MappingTrace.show(event.eventID))" } ?? "none configured")
            trace.note(
                "event time",
                eventTime.map { "\($0) is \(event.eventTime.map(RFC3339.format) ?? "missing or unreadable")" } ?? "none configured"
            )
        }
        return .feedback(event)
    }

    /// A number is Unix seconds (milliseconds when above 10^12); a string is RFC 3339 or a number.
    package static func date(from value: JSONValue) -> Date? {
        guard let text = value.scalarText else { return nil }
        if let number = Double(text), number.isFinite {
            return Date(timeIntervalSince1970: number > 1e12 ? number / 1000 : number)
        }
        return RFC3339.parse(text)
    }
}
