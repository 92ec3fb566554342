import RelayModel

extension Preset {
    /// Standard Webhooks (and Svix, with `svix-*` header names): base64 HMAC-SHA256 of
    /// `<id>.<timestamp>.<body>` with a `whsec_` base64 secret, a space-separated `v1,<sig>` list,
    /// and 5 minutes' tolerance.
    package static let standardWebhooks = Preset(
        name: "standard-webhooks",
        defaults: .init(
            eventID: "header:webhook-id|header:svix-id",
            eventTime: "header:webhook-timestamp|header:svix-timestamp",
            tolerance: 300
        )
    ) { builder in
        guard let secrets = builder.secrets(encoding: .standardWebhooks) else { return nil }
        return HMACScheme(
            algorithm: .sha256,
            encoding: .base64,
            layout: .versioned(header: HeaderRef("webhook-signature", "svix-signature"), version: "v1"),
            payload: try! SignedPayloadTemplate("{id}.{timestamp}.{body}"),
            timestamp: .header(HeaderRef("webhook-timestamp", "svix-timestamp"), .seconds),
            tolerance: builder.tolerance,
            idHeader: HeaderRef("webhook-id", "svix-id"),
            secrets: secrets
        )
    }
}
