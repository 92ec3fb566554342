import RelayModel

extension Preset {
    /// Help Scout: `X-HelpScout-Signature: base64(HMAC-SHA1(body))`; satisfaction ratings are `great`,
    /// `okay`, `bad`.
    package static let helpscout = bodySigned(
        "helpscout",
        header: "X-HelpScout-Signature",
        algorithm: .sha1,
        encoding: .base64,
        defaults: .init(like: "great", dislike: "bad")
    )
}
