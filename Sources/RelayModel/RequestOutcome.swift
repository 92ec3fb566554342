/// What happened to one webhook request: the bounded `outcome` label of `feedback_relay_requests_total`.
public enum RequestOutcome: String, Sendable, CaseIterable {
    case accepted, forwarded, duplicate, ignored, handshake
    case refusedSignature = "refused_signature"
    case refusedStale = "refused_stale"
    case unknownRoute = "unknown_route"
    case methodNotAllowed = "method_not_allowed"
    case tooLarge = "too_large"
    case badBody = "bad_body"
    case badConversationID = "bad_conversation_id"
    case unavailable
    case upstreamRejected = "upstream_rejected"
    case upstreamFailed = "upstream_failed"

    /// Position in `allCases`, which is rebuilt on every access.
    package var index: Int { Self.indices[self]! }
    private static let indices = Dictionary(uniqueKeysWithValues: allCases.enumerated().map { ($1, $0) })
}
