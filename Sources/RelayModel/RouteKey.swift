/// Every setting a route understands: `RELAY_ROUTE_<NAME>_<KEY>`, or the key in lower case in the routes file.
/// Settings are read through these cases only, so a misspelt key does not compile.
public enum RouteKey: String, Sendable, CaseIterable {
    case preset = "PRESET"
    case secret = "SECRET"
    case conversationID = "CONVERSATION_ID"
    case conversationIDPattern = "CONVERSATION_ID_PATTERN"
    case feedback = "FEEDBACK"
    case feedbackPattern = "FEEDBACK_PATTERN"
    case like = "LIKE"
    case dislike = "DISLIKE"
    case match = "MATCH"
    case eventID = "EVENT_ID"
    case eventTime = "EVENT_TIME"
    case tolerance = "TOLERANCE"
    case apiKey = "API_KEY"
    case baseURL = "BASE_URL"
    case allowUnsigned = "ALLOW_UNSIGNED"
    case signatureHeader = "SIGNATURE_HEADER"
    case algorithm = "ALGORITHM"
    case encoding = "ENCODING"
    case signaturePrefix = "SIGNATURE_PREFIX"
    case secretEncoding = "SECRET_ENCODING"
    case signedPayload = "SIGNED_PAYLOAD"
    case timestampHeader = "TIMESTAMP_HEADER"
    case timestampUnit = "TIMESTAMP_UNIT"
    case tokenHeader = "TOKEN_HEADER"
    case tokenQuery = "TOKEN_QUERY"
    case tokenField = "TOKEN_FIELD"

    /// Keys that may also come from a file, as `<KEY>_FILE`.
    public var isSecret: Bool { self == .secret || self == .apiKey }
}
