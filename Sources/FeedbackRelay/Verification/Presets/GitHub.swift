extension Preset {
    /// GitHub-style `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(body)>`, also sent by Jira and
    /// many in-house tools. No timestamp is signed, so there is no replay window to check.
    static let github = Preset(
        name: "github",
        defaults: .init(eventID: "header:X-GitHub-Delivery")
    ) { builder in
        guard let secrets = builder.secrets(encoding: .utf8) else { return nil }
        return HMACScheme(
            algorithm: .sha256,
            encoding: .hex,
            layout: .plain(header: HeaderRef("X-Hub-Signature-256"), prefix: "sha256="),
            secrets: secrets
        )
    }
}
