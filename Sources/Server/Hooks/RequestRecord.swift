import Foundation
import Logging
import Observability
import RelayModel
import Upstream

/// What the relay learned while answering one webhook request: the one log line it ends in.
struct RequestRecord: Sendable {
    let id: String
    var route: String?
    var event: FeedbackEvent?
    var upstreamDuration: Duration?

    init(id: String) {
        self.id = id
    }

    /// Answered: info; refused as the sender's mistake: warning; failed on the relay's side: error.
    func log(_ outcome: WebhookOutcome, to logger: Logger, status: Int, duration: Duration) {
        let level: Logger.Level = status < 400 ? .info : status < 500 ? .warning : .error
        guard logger.logLevel <= level else { return }
        let label = outcome.label.rawValue
        let reason = outcome.reason
        var fields = LogFields()
        fields.add("request_id", id)
        fields.add("route", route)
        fields.add("outcome", label)
        fields.add("status", status)
        fields.add("reason", reason)
        fields.add("conversation_id", event?.conversationID)
        fields.add("feedback", event?.feedback.rawValue)
        fields.add("delivery_id", outcome.deliveryID)
        fields.add("duration_ms", duration.fractionalMilliseconds)
        if case .upstream(let result) = outcome { fields.add("upstream_status", result.status) }
        fields.add("upstream_ms", upstreamDuration?.fractionalMilliseconds)
        logger.log(level: level, "\(reason.map { label + ": " + $0 } ?? label)", metadata: fields.metadata)
    }
}
