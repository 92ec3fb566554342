import RelayModel

extension Preset {
    /// Zendesk webhooks: `X-Zendesk-Webhook-Signature: base64(HMAC-SHA256(timestamp + body))` with the
    /// timestamp in `X-Zendesk-Webhook-Signature-Timestamp`. Zendesk's body is the trigger's own JSON,
    /// so the selectors are the route's; satisfaction ratings are `good` and `bad`.
    package static let zendesk = Preset(
        name: "zendesk",
        defaults: .init(like: "good", dislike: "bad", eventID: "header:X-Zendesk-Webhook-Invocation-Id", tolerance: 300)
    ) { builder in
        guard let secrets = builder.secrets(encoding: .utf8) else { return nil }
        return HMACScheme(
            algorithm: .sha256,
            encoding: .base64,
            layout: .plain(header: HeaderRef("X-Zendesk-Webhook-Signature"), prefix: ""),
            payload: try! SignedPayloadTemplate("{timestamp}{body}"),
            timestamp: .header(HeaderRef("X-Zendesk-Webhook-Signature-Timestamp"), .iso8601),
            tolerance: builder.tolerance,
            secrets: secrets
        )
    }
}
