import RelayModel

/// A provider: how it signs (a verifier built from the route's settings), where its payload
/// usually carries the conversation id and the rating, and any handshake it needs.
/// Adding a provider is one file with one `Preset` value, listed in `Preset.all`.
public struct Preset: Sendable {
    public struct Defaults: Sendable {
        public var conversationID: String?
        public var conversationIDPattern: String?
        public var feedback: String?
        public var feedbackPattern: String?
        public var like: String?
        public var dislike: String?
        public var match: String?
        public var eventID: String?
        public var eventTime: String?
        public var tolerance: Int?

        public init(
            conversationID: String? = nil,
            conversationIDPattern: String? = nil,
            feedback: String? = nil,
            feedbackPattern: String? = nil,
            like: String? = nil,
            dislike: String? = nil,
            match: String? = nil,
            eventID: String? = nil,
            eventTime: String? = nil,
            tolerance: Int? = nil
        ) {
            self.conversationID = conversationID
            self.conversationIDPattern = conversationIDPattern
            self.feedback = feedback
            self.feedbackPattern = feedbackPattern
            self.like = like
            self.dislike = dislike
            self.match = match
            self.eventID = eventID
            self.eventTime = eventTime
            self.tolerance = tolerance
        }
    }

    public let name: String
    public let defaults: Defaults
    /// Route keys this preset reads beyond the common ones (the generic `hmac` knobs, token places).
    public let extraKeys: Set<RouteKey>
    /// Builds the verifier; reports problems to the settings and returns nil when there are any.
    package let makeVerifier: @Sendable (any VerifierSettings) -> (any Verifier)?
    public let handshake: (any Handshake)?

    package init(
        name: String,
        defaults: Defaults = .init(),
        extraKeys: Set<RouteKey> = [],
        handshake: (any Handshake)? = nil,
        makeVerifier: @escaping @Sendable (any VerifierSettings) -> (any Verifier)?
    ) {
        self.name = name
        self.defaults = defaults
        self.extraKeys = extraKeys
        self.handshake = handshake
        self.makeVerifier = makeVerifier
    }

    /// A provider that signs the raw body alone, in one header. No timestamp is signed, so there is no
    /// replay window to check.
    package static func bodySigned(
        _ name: String,
        header: String,
        prefix: String = "",
        algorithm: HMACAlgorithm,
        encoding: SignatureEncoding,
        defaults: Defaults = .init()
    ) -> Preset {
        Preset(name: name, defaults: defaults) { builder in
            guard let secrets = builder.secrets(encoding: .utf8) else { return nil }
            return HMACScheme(algorithm: algorithm, encoding: encoding, layout: .plain(header: HeaderRef(header), prefix: prefix), secrets: secrets)
        }
    }

    public static let all: [Preset] = [
        .elevenlabs, .github, .standardWebhooks, .zendesk, .slack,
        .intercom, .helpscout, .typeform, .shopify, .kustomer, .genesys, .delighted, .stripe, .teams, .linear, .front,
        .hubspot, .twilio,
        .genericHMAC, .token, .basic, .unsigned,
    ]

    public static func named(_ name: String) -> Preset? {
        all.first { $0.name == name }
    }
}
