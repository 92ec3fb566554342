import RelayModel

/// Where one route's feedback goes: the API's base URL and the key it is sent with.
public struct UpstreamTarget: Sendable {
    public var baseURL: String
    public var apiKey: String

    public init(baseURL: String, apiKey: String) {
        self.baseURL = baseURL
        self.apiKey = apiKey
    }

    package func request(conversationID: String, feedback: Feedback) -> FeedbackRequest {
        FeedbackRequest(baseURL: baseURL, apiKey: apiKey, conversationID: conversationID, feedback: feedback)
    }
}
