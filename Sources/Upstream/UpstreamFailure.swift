public struct UpstreamFailure: Sendable, Equatable, CustomStringConvertible {
    public var timedOut: Bool
    public var description: String
}
