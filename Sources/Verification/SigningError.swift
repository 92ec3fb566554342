import Foundation
import RelayModel

public struct SigningError: Error, CustomStringConvertible {
    public let description: String
}
