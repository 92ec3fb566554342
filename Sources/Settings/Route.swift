import Mapping
import Upstream
import Verification

/// One configured webhook endpoint, ready to serve. A class: each webhook passes its route through
/// several hands, and a reference is one retain where these fields took a dozen.
public final class Route: Sendable {
    public let name: String
    public let preset: String
    public let verifier: any Verifier
    public let handshake: (any Handshake)?
    public let mapping: Mapping
    /// The key this route's feedback is sent with (its own, or the global one).
    package let apiKey: String
    public let hasOwnAPIKey: Bool
    public let baseURL: String

    init(
        name: String,
        preset: String,
        verifier: any Verifier,
        handshake: (any Handshake)?,
        mapping: Mapping,
        apiKey: String,
        hasOwnAPIKey: Bool,
        baseURL: String
    ) {
        self.name = name
        self.preset = preset
        self.verifier = verifier
        self.handshake = handshake
        self.mapping = mapping
        self.apiKey = apiKey
        self.hasOwnAPIKey = hasOwnAPIKey
        self.baseURL = baseURL
    }

    /// Where the worker and inline delivery send this route's feedback.
    public var upstream: UpstreamTarget { UpstreamTarget(baseURL: baseURL, apiKey: apiKey) }
}
