import Observability
import RelayModel

/// The one way the relay calls the feedback API, inline or from the queue: send, time, count, classify.
public struct UpstreamCall: Sendable {
    let client: any FeedbackSending
    let metrics: RelayMetrics

    public init(client: any FeedbackSending, metrics: RelayMetrics) {
        self.client = client
        self.metrics = metrics
    }

    package func send(
        conversationID: String,
        feedback: Feedback,
        route: String,
        to target: UpstreamTarget
    ) async -> (
        result: UpstreamResult, duration: Duration
    ) {
        await withCheckedContinuation { continuation in
            send(conversationID: conversationID, feedback: feedback, route: route, to: target) { continuation.resume(returning: $0) }
        }
    }

    /// The same call, answered through `completion` on the thread the call ends on.
    package func send(
        conversationID: String,
        feedback: Feedback,
        route: String,
        to target: UpstreamTarget,
        completion: @escaping @Sendable ((result: UpstreamResult, duration: Duration)) -> Void
    ) {
        let started = ContinuousClock.now
        let metrics = self.metrics
        client.send(target.request(conversationID: conversationID, feedback: feedback)) { outcome in
            let duration = ContinuousClock.now - started
            let result = UpstreamResult(outcome, redacting: target.apiKey)
            metrics.upstreamCall(route: route, status: result.status, duration: duration)
            completion((result, duration))
        }
    }
}
