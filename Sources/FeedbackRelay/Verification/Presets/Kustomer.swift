extension Preset {
    /// Kustomer: `X-Kustomer-Webhook-Signature: hex(HMAC-SHA256(body))`. No timestamp is signed.
    static let kustomer = Preset(
        name: "kustomer"
    ) { builder in
        guard let secrets = builder.secrets(encoding: .utf8) else { return nil }
        return HMACScheme(
            algorithm: .sha256,
            encoding: .hex,
            layout: .plain(header: HeaderRef("X-Kustomer-Webhook-Signature"), prefix: ""),
            secrets: secrets
        )
    }
}
