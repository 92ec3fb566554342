extension Preset {
    /// Intercom: `X-Hub-Signature: sha1=<hex HMAC-SHA1(body)>` with the app's client secret.
    static let intercom = bodySigned(
        "intercom",
        header: "X-Hub-Signature",
        prefix: "sha1=",
        algorithm: .sha1,
        encoding: .hex
    )
}
