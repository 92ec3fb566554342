import RelayModel

extension Preset {
    /// Linear: `Linear-Signature: <hex HMAC-SHA256(body)>`; the time is the body's `webhookTimestamp`
    /// (milliseconds), which must be within a minute.
    package static let linear = Preset(
        name: "linear",
        defaults: .init(eventID: "header:Linear-Delivery", eventTime: "/webhookTimestamp", tolerance: 60)
    ) { builder in
        guard let secrets = builder.secrets(encoding: .utf8) else { return nil }
        return HMACScheme(
            algorithm: .sha256,
            encoding: .hex,
            layout: .plain(header: HeaderRef("Linear-Signature"), prefix: ""),
            timestamp: .body(JSONPointer("/webhookTimestamp")!, .milliseconds),
            tolerance: builder.tolerance,
            secrets: secrets
        )
    }
}
