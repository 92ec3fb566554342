/// Why the relay closed a client connection on its own, as the `reason` label of
/// `feedback_relay_client_connections_closed_total`.
public enum ClientCloseReason: String, Sendable, CaseIterable {
    /// No complete request head within `RELAY_HEADER_TIMEOUT` of connecting.
    case headerTimeout = "header_timeout"
    /// A body stalled for `RELAY_BODY_TIMEOUT`.
    case bodyTimeout = "body_timeout"
    /// Kept alive with no new request for `RELAY_IDLE_TIMEOUT`.
    case idleTimeout = "idle_timeout"
    /// Not HTTP the parser accepts (answered 400, 414 or 431 first).
    case malformed
    /// The answer was final for the connection: a body over the limit (413), HTTP/1.0, `Connection: close`.
    case answered

    package var index: Int { Self.indices[self]! }
    private static let indices = Dictionary(uniqueKeysWithValues: allCases.enumerated().map { ($1, $0) })
}
