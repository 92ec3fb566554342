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
        let started = ContinuousClock.now
        let outcome = await client.send(target.request(conversationID: conversationID, feedback: feedback))
        let duration = ContinuousClock.now - started
        let result = UpstreamResult(outcome, redacting: target.apiKey)
        metrics.upstreamCall(route: route, status: result.status, duration: duration)
        return (result, duration)
    }
}
