import Foundation
import RelayModel

/// The store could not do what was asked (disk full, read-only, locked, unreachable).
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
