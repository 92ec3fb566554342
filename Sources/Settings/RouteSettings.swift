import Foundation
import RelayModel

/// The raw `KEY=value` settings of one route, from `RELAY_ROUTE_<NAME>_<KEY>` and the routes file,
/// each remembering where it came from so an error can name it.
public struct RouteSettings: Sendable {
    public struct Value: Sendable {
        public let text: String
        /// The variable (or routes-file path) that set it.
        public let source: String
    }

    /// The name in `/hooks/{name}`.
    public let name: String
    /// `RELAY_ROUTE_<NAME>_`, for messages.
    public let variablePrefix: String
    public internal(set) var values: [RouteKey: Value] = [:]

    package init(name: String) {
        self.name = name
        self.variablePrefix = "RELAY_ROUTE_" + Self.environmentName(name) + "_"
    }

    /// `zendesk-csat` → `ZENDESK_CSAT`.
    package static func environmentName(_ routeName: String) -> String {
        routeName.uppercased().replacingOccurrences(of: "-", with: "_")
    }

    public subscript(key: RouteKey) -> String? {
        values[key]?.text
    }

    /// Where a key came from, or where it would be set.
    public func variable(_ key: RouteKey) -> String {
        values[key]?.source ?? variablePrefix + key.rawValue
    }
}
