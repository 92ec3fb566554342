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
        // Appended into one allocation: `+` made a new string at each step, on every call.
        let segment = PercentEncoding.encodePathSegment(conversationID)
        var url = ""
        url.reserveCapacity(baseURL.utf8.count + segment.utf8.count + 34)
        url += baseURL
        url += "/v1/convai/conversations/"
        url += segment
        url += "/feedback"
        return url
    }

    public var body: String {
        switch feedback {
        case .like: #"{"feedback":"like"}"#
        case .dislike: #"{"feedback":"dislike"}"#
        }
    }
}
