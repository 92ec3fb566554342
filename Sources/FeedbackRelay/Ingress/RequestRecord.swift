import Foundation
import HTTPTypes
import Logging
import Synchronization

/// What the relay learned while answering one webhook request: the one log line and the metric it ends in.
struct RequestRecord {
    let id: String
    var route: String?
    var outcome = RequestOutcome.unavailable
    /// Why it was refused, ignored or failed, exactly (the sender only sees the status).
    var reason: String?
    var event: FeedbackEvent?
    var deliveryID: Int64?
    var upstreamStatus: Int?
    var upstreamDuration: Duration?

    init(id: String) {
        self.id = id
    }

    /// Answered: info; refused as the sender's mistake: warning; failed on the relay's side: error.
    func log(to logger: Logger, status: Int, duration: Duration) {
        let level: Logger.Level = status < 400 ? .info : status < 500 ? .warning : .error
        guard logger.logLevel <= level else { return }
        var fields = LogFields()
        fields.add("request_id", id)
        fields.add("route", route)
        fields.add("outcome", outcome.rawValue)
        fields.add("status", status)
        fields.add("reason", reason)
        fields.add("conversation_id", event?.conversationID)
        fields.add("feedback", event?.feedback.rawValue)
        fields.add("delivery_id", deliveryID)
        fields.add("duration_ms", duration.fractionalMilliseconds)
        fields.add("upstream_status", upstreamStatus)
        fields.add("upstream_ms", upstreamDuration?.fractionalMilliseconds)
        logger.log(level: level, "\(reason.map { outcome.rawValue + ": " + $0 } ?? outcome.rawValue)", metadata: fields.metadata)
    }
}

/// A request's id: the caller's `X-Request-Id` when it is a sane token (a proxy's, to follow one request
/// through both logs), else one of ours: a per-process prefix and a counter, unique without a syscall.
enum RequestID {
    static let header = HTTPField.Name("X-Request-Id")!
    private static let prefix = Hex.encode((0..<4).map { _ in UInt8.random(in: 0...255) })
    private static let counter = Atomic<Int>(0)

    static func take(from presented: String?) -> String {
        if let presented, (1...128).contains(presented.utf8.count),
            presented.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") })
        {
            return presented
        }
        return prefix + "-" + String(counter.add(1, ordering: .relaxed).newValue, radix: 16)
    }
}
