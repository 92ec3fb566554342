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

/// Splits `RELAY_ROUTE_ZENDESK_CSAT_CONVERSATION_ID` into route `zendesk-csat` and key `CONVERSATION_ID`.
package enum RouteVariable {
    package static let prefix = "RELAY_ROUTE_"
    private static let suffixes: [(suffix: String, key: RouteKey, fromFile: Bool)] = {
        var all = RouteKey.allCases.map { ($0.rawValue, $0, false) }
        all += RouteKey.allCases.filter(\.isSecret).map { ($0.rawValue + "_FILE", $0, true) }
        return all.sorted { $0.0.count > $1.0.count }
    }()

    package static func split(_ variable: String) -> (routeName: String, key: RouteKey, fromFile: Bool)? {
        guard variable.hasPrefix(prefix) else { return nil }
        let rest = variable.dropFirst(prefix.count)
        for entry in suffixes where rest.hasSuffix("_" + entry.suffix) && rest.count > entry.suffix.count + 1 {
            let name = rest.dropLast(entry.suffix.count + 1)
            guard name.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") }) else { return nil }
            return (name.lowercased().replacingOccurrences(of: "_", with: "-"), entry.key, entry.fromFile)
        }
        return nil
    }
}
