extension Preset {
    /// Intercom: `X-Hub-Signature: sha1=<hex HMAC-SHA1(body)>` with the app's client secret. No timestamp is signed.
    static let intercom = Preset(
        name: "intercom"
    ) { builder in
        guard let secrets = builder.secrets(encoding: .utf8) else { return nil }
        return HMACScheme(
            algorithm: .sha1,
            encoding: .hex,
            layout: .plain(header: HeaderRef("X-Hub-Signature"), prefix: "sha1="),
            secrets: secrets
        )
    }
}
