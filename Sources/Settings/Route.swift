import Mapping
import Upstream
import Verification

/// One configured webhook endpoint, ready to serve.
public struct Route: Sendable {
    public let name: String
    public let preset: String
    public let verifier: any Verifier
    public let handshake: (any Handshake)?
    public let mapping: Mapping
    /// The key this route's feedback is sent with (its own, or the global one).
    package let apiKey: String
    public let hasOwnAPIKey: Bool
    public let baseURL: String

    /// Where the worker and inline delivery send this route's feedback.
    public var upstream: UpstreamTarget { UpstreamTarget(baseURL: baseURL, apiKey: apiKey) }
}
