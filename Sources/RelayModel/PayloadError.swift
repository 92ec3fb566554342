/// The body does not parse as what the route's selectors read.
public struct PayloadError: Error, Sendable, CustomStringConvertible {
    public let description: String
}
