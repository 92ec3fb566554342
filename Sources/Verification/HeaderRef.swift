import Foundation
import HTTPTypes
import RelayModel

/// A header that a provider may send under more than one name (`webhook-id` or `svix-id`).
public struct HeaderRef: Sendable, CustomStringConvertible {
    public let names: [String]

    public init(_ names: String...) {
        self.names = names
    }

    public var description: String { names.joined(separator: "|") }

    package func find(in headers: HTTPFields) -> (name: String, value: String)? {
        for name in names {
            if let value = headers[named: name] { return (name, value) }
        }
        return nil
    }
}
