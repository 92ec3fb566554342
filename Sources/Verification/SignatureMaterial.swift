import Foundation
import RelayModel

/// What signing adds to a request.
public struct SignatureMaterial: Sendable {
    public var headers: [(name: String, value: String)] = []
    public var queryItems: [(name: String, value: String)] = []
}
