import Foundation
import RelayModel

/// `MATCH`: events whose selected value is not among these are ignored.
public struct MatchRule: Sendable, CustomStringConvertible {
    public let selector: Selector
    public let values: ValueRule

    package init(selector: Selector, values: ValueRule) {
        self.selector = selector
        self.values = values
    }

    public var description: String { "\(selector)=\(values)" }
}
