/// Sends one feedback call; the libcurl client, or a test's own.
public protocol FeedbackSending: Sendable {
    func send(_ request: FeedbackRequest) async -> UpstreamOutcome
}
