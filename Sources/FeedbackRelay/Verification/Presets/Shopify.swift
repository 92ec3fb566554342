extension Preset {
    /// Shopify: `X-Shopify-Hmac-Sha256: base64(HMAC-SHA256(body))`. No timestamp is signed.
    static let shopify = Preset(
        name: "shopify",
        defaults: .init(eventID: "header:X-Shopify-Webhook-Id")
    ) { builder in
        guard let secrets = builder.secrets(encoding: .utf8) else { return nil }
        return HMACScheme(
            algorithm: .sha256,
            encoding: .base64,
            layout: .plain(header: HeaderRef("X-Shopify-Hmac-Sha256"), prefix: ""),
            secrets: secrets
        )
    }
}
