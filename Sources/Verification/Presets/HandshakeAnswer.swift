import RelayModel

public struct HandshakeAnswer: Sendable, Equatable {
    public var status: Int
    public var contentType: String
    public var body: String
}
