import RelayModel

extension Preset {
    /// Stripe: `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256("<t>.<body>")>[,v1=...]` (any `v1` may
    /// match, as during a secret roll), keyed with the whole `whsec_...` string; 5 minutes' tolerance.
    package static let stripe = Preset(
        name: "stripe",
        defaults: .init(eventID: "/id", eventTime: "/created", tolerance: 300)
    ) { builder in
        guard let secrets = builder.secrets(encoding: .utf8) else { return nil }
        return HMACScheme(
            algorithm: .sha256,
            encoding: .hex,
            layout: .keyed(header: HeaderRef("Stripe-Signature"), timestampKey: "t", signatureKey: "v1"),
            payload: try! SignedPayloadTemplate("{timestamp}.{body}"),
            timestamp: .signatureHeader,
            tolerance: builder.tolerance,
            secrets: secrets
        )
    }
}
