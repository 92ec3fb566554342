import RelayModel

extension Preset {
    /// Delighted: `X-Delighted-Webhook-Signature: sha256=<hex HMAC-SHA256(body)>`; NPS 9-10 → like,
    /// 0-6 → dislike.
    package static let delighted = bodySigned(
        "delighted",
        header: "X-Delighted-Webhook-Signature",
        prefix: "sha256=",
        algorithm: .sha256,
        encoding: .hex,
        defaults: .init(feedback: "/event_data/score", like: ">=9", dislike: "<=6", eventID: "/event_id")
    )
}
