import Foundation
import RelayModel

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
