import RelayModel

/// A provider's setup request that must be answered before it sends events (Slack's
/// `url_verification`). Asked only after the request has verified.
public protocol Handshake: Sendable {
    func answer(_ request: SignedRequest) -> HandshakeAnswer?
}
