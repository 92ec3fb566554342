import RelayModel

extension Preset {
    /// Shopify: `X-Shopify-Hmac-Sha256: base64(HMAC-SHA256(body))`.
    package static let shopify = bodySigned(
        "shopify",
        header: "X-Shopify-Hmac-Sha256",
        algorithm: .sha256,
        encoding: .base64,
        defaults: .init(eventID: "header:X-Shopify-Webhook-Id")
    )
}
