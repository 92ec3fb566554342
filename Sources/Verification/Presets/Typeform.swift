import RelayModel

extension Preset {
    /// Typeform: `Typeform-Signature: sha256=<base64 HMAC-SHA256(body)>`.
    package static let typeform = bodySigned(
        "typeform",
        header: "Typeform-Signature",
        prefix: "sha256=",
        algorithm: .sha256,
        encoding: .base64,
        defaults: .init(eventID: "/event_id", eventTime: "/form_response/submitted_at")
    )
}
