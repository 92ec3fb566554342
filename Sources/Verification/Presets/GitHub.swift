import RelayModel

extension Preset {
    /// GitHub-style `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(body)>`, also sent by Jira and
    /// many in-house tools.
    package static let github = bodySigned(
        "github",
        header: "X-Hub-Signature-256",
        prefix: "sha256=",
        algorithm: .sha256,
        encoding: .hex,
        defaults: .init(eventID: "header:X-GitHub-Delivery")
    )
}
