import RelayModel

/// One feedback call: `POST {base}/v1/convai/conversations/{id}/feedback` with the stored key.
public struct FeedbackRequest: Sendable {
    public var baseURL: String
    public var apiKey: String
    public var conversationID: String
    public var feedback: Feedback

    public init(baseURL: String, apiKey: String, conversationID: String, feedback: Feedback) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.conversationID = conversationID
        self.feedback = feedback
    }

    /// The conversation id was validated against `[A-Za-z0-9_-]{1,128}`; it is percent-encoded anyway,
    /// so even a bypassed check could not leave its path segment.
    public var url: String {
        baseURL + "/v1/convai/conversations/" + PercentEncoding.encodePathSegment(conversationID) + "/feedback"
    }

    public var body: String {
        #"{"feedback":""# + feedback.rawValue + #""}"#
    }
}
