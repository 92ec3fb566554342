extension Preset {
    /// Help Scout: `X-HelpScout-Signature: base64(HMAC-SHA1(body))`; satisfaction ratings are `great`, `okay`, `bad`. No timestamp is signed.
    static let helpscout = Preset(
        name: "helpscout",
        defaults: .init(like: "great", dislike: "bad")
    ) { builder in
        guard let secrets = builder.secrets(encoding: .utf8) else { return nil }
        return HMACScheme(
            algorithm: .sha1,
            encoding: .base64,
            layout: .plain(header: HeaderRef("X-HelpScout-Signature"), prefix: ""),
            secrets: secrets
        )
    }
}
