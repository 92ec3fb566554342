extension Preset {
    /// Genesys Cloud: `X-Hub-Signature-256: sha256=<base64 HMAC-SHA256(body)>`. No timestamp is signed.
    static let genesys = Preset(
        name: "genesys"
    ) { builder in
        guard let secrets = builder.secrets(encoding: .utf8) else { return nil }
        return HMACScheme(
            algorithm: .sha256,
            encoding: .base64,
            layout: .plain(header: HeaderRef("X-Hub-Signature-256"), prefix: "sha256="),
            secrets: secrets
        )
    }
}
