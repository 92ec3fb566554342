/// Sends one feedback call; the libcurl client, or a test's own.
public protocol FeedbackSending: Sendable {
    func send(_ request: FeedbackRequest) async -> UpstreamOutcome

    /// The same call, answered through `completion` on whatever thread the call ends on: the webhook
    /// listener's event loop uses this, so an inline call needs no task.
    func send(_ request: FeedbackRequest, completion: @escaping @Sendable (UpstreamOutcome) -> Void)
}

extension FeedbackSending {
    public func send(_ request: FeedbackRequest, completion: @escaping @Sendable (UpstreamOutcome) -> Void) {
        Task { completion(await send(request)) }
    }
}
