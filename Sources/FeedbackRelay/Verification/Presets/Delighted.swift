extension Preset {
    /// Delighted: `X-Delighted-Webhook-Signature: sha256=<hex HMAC-SHA256(body)>`; NPS 9-10 → like, 0-6 → dislike. No timestamp is signed.
    static let delighted = Preset(
        name: "delighted",
        defaults: .init(like: ">=9", dislike: "<=6")
    ) { builder in
        guard let secrets = builder.secrets(encoding: .utf8) else { return nil }
        return HMACScheme(
            algorithm: .sha256,
            encoding: .hex,
            layout: .plain(header: HeaderRef("X-Delighted-Webhook-Signature"), prefix: "sha256="),
            secrets: secrets
        )
    }
}
