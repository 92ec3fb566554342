import Foundation
import Hummingbird
import NIOFoundationEssentialsCompat
import RelayModel
import Store

/// The README's `DELIVERY` object, for the admin API and the `deliveries` command. Times are RFC 3339;
/// absent values are `null`, not left out; `last_error` never holds the key (the worker redacts it before
/// it is stored).
public struct DeliveryBody: Encodable, Sendable {
    let delivery: Delivery

    public init(_ delivery: Delivery) {
        self.delivery = delivery
    }

    enum CodingKeys: String, CodingKey {
        case id, route, state, attempts, feedback
        case conversationID = "conversation_id"
        case receivedAt = "received_at"
        case retriedAt = "retried_at"
        case nextAttemptAt = "next_attempt_at"
        case lastStatus = "last_status"
        case lastError = "last_error"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(String(delivery.id), forKey: .id)
        try container.encode(delivery.route, forKey: .route)
        try container.encode(delivery.conversationID, forKey: .conversationID)
        try container.encode(delivery.feedback.rawValue, forKey: .feedback)
        try container.encode(delivery.state.rawValue, forKey: .state)
        try container.encode(delivery.attempts, forKey: .attempts)
        try container.encode(RFC3339.format(delivery.receivedAt), forKey: .receivedAt)
        try container.encode(delivery.retriedAt.map(RFC3339.format), forKey: .retriedAt)
        try container.encode(delivery.state == .pending ? RFC3339.format(delivery.nextAttemptAt) : nil, forKey: .nextAttemptAt)
        try container.encode(delivery.lastStatus, forKey: .lastStatus)
        try container.encode(delivery.lastError, forKey: .lastError)
    }

    /// One line of JSON, as `feedback-relay deliveries` prints it.
    public var jsonLine: String {
        String(decoding: (try? Self.encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }

    static let encoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return encoder
    }()
}
