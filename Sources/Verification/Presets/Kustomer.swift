import RelayModel

extension Preset {
    /// Kustomer: `X-Kustomer-Webhook-Signature: hex(HMAC-SHA256(body))`.
    package static let kustomer = bodySigned(
        "kustomer",
        header: "X-Kustomer-Webhook-Signature",
        algorithm: .sha256,
        encoding: .hex,
        defaults: .init(eventID: "/id", eventTime: "/createdAt")
    )
}
