import RelayModel

extension Preset {
    /// Genesys Cloud: `X-Hub-Signature-256: sha256=<base64 HMAC-SHA256(body)>`.
    package static let genesys = bodySigned(
        "genesys",
        header: "X-Hub-Signature-256",
        prefix: "sha256=",
        algorithm: .sha256,
        encoding: .base64
    )
}
