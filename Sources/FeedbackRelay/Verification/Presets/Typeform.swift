extension Preset {
    /// Typeform: `Typeform-Signature: sha256=<base64 HMAC-SHA256(body)>`. No timestamp is signed.
    static let typeform = Preset(
        name: "typeform",
        defaults: .init(eventID: "/event_id")
    ) { builder in
        guard let secrets = builder.secrets(encoding: .utf8) else { return nil }
        return HMACScheme(
            algorithm: .sha256,
            encoding: .base64,
            layout: .plain(header: HeaderRef("Typeform-Signature"), prefix: "sha256="),
            secrets: secrets
        )
    }
}
