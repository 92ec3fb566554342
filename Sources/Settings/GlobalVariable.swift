/// Every global variable the relay reads. Read through these cases only, so a misspelt name does not
/// compile; any other `RELAY_*` in the environment is a typo and stops the start.
package enum GlobalVariable: String, CaseIterable {
    case elevenlabsAPIKey = "ELEVENLABS_API_KEY"
    case elevenlabsBaseURL = "ELEVENLABS_BASE_URL"
    case listen = "RELAY_LISTEN"
    case managementListen = "RELAY_MANAGEMENT_LISTEN"
    case store = "RELAY_STORE"
    case delivery = "RELAY_DELIVERY"
    case maxBodyBytes = "RELAY_MAX_BODY_BYTES"
    case concurrency = "RELAY_CONCURRENCY"
    case upstreamTimeout = "RELAY_UPSTREAM_TIMEOUT"
    case retryMaxAge = "RELAY_RETRY_MAX_AGE"
    case dedupWindow = "RELAY_DEDUP_WINDOW"
    case publicURL = "RELAY_PUBLIC_URL"
    case adminToken = "RELAY_ADMIN_TOKEN"
    case logLevel = "RELAY_LOG_LEVEL"
    case logFormat = "RELAY_LOG_FORMAT"
    case routesFile = "RELAY_ROUTES_FILE"
    case allowInsecureUpstream = "RELAY_ALLOW_INSECURE_UPSTREAM"
    case headerTimeout = "RELAY_HEADER_TIMEOUT"
    case bodyTimeout = "RELAY_BODY_TIMEOUT"
    case idleTimeout = "RELAY_IDLE_TIMEOUT"
    case maxConnections = "RELAY_MAX_CONNECTIONS"

    /// Variables that may instead name a file holding the value, as `<NAME>_FILE`.
    package var isSecret: Bool { self == .elevenlabsAPIKey || self == .adminToken || self == .store }

    /// Every `RELAY_*` name the relay knows, `_FILE` forms included.
    package static let relayNames: Set<String> = Set(
        allCases.filter { $0.rawValue.hasPrefix("RELAY_") }.flatMap { $0.isSecret ? [$0.rawValue, $0.rawValue + "_FILE"] : [$0.rawValue] }
    )
}
