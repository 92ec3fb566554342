import Foundation

/// The raw `KEY=value` settings of one route, from `RELAY_ROUTE_<NAME>_<KEY>` and the routes file,
/// each remembering where it came from so an error can name it.
public struct RouteSettings: Sendable {
    public struct Value: Sendable {
        public let text: String
        /// The variable (or routes-file path) that set it.
        public let source: String
    }

    /// Every key a route understands. `SECRET` and `API_KEY` may also come from `<KEY>_FILE`.
    public static let keys: [String] = [
        "PRESET", "SECRET", "CONVERSATION_ID", "CONVERSATION_ID_PATTERN", "FEEDBACK", "FEEDBACK_PATTERN", "LIKE", "DISLIKE",
        "MATCH", "EVENT_ID", "EVENT_TIME", "TOLERANCE", "API_KEY", "BASE_URL", "ALLOW_UNSIGNED",
        "SIGNATURE_HEADER", "ALGORITHM", "ENCODING", "SIGNATURE_PREFIX", "SECRET_ENCODING", "SIGNED_PAYLOAD", "TIMESTAMP_HEADER",
        "TIMESTAMP_UNIT", "TOKEN_HEADER", "TOKEN_QUERY", "TOKEN_FIELD",
    ]
    public static let secretKeys: Set<String> = ["SECRET", "API_KEY"]

    /// The name in `/hooks/{name}`.
    public let name: String
    /// `RELAY_ROUTE_<NAME>_`, for messages.
    public let variablePrefix: String
    public internal(set) var values: [String: Value] = [:]

    init(name: String) {
        self.name = name
        self.variablePrefix = "RELAY_ROUTE_" + Self.environmentName(name) + "_"
    }

    /// `zendesk-csat` → `ZENDESK_CSAT`.
    static func environmentName(_ routeName: String) -> String {
        routeName.uppercased().replacingOccurrences(of: "-", with: "_")
    }

    public subscript(key: String) -> String? {
        values[key]?.text
    }

    /// Where a key came from, or where it would be set.
    public func variable(_ key: String) -> String {
        values[key]?.source ?? variablePrefix + key
    }
}

/// Splits `RELAY_ROUTE_ZENDESK_CSAT_CONVERSATION_ID` into route `zendesk-csat` and key `CONVERSATION_ID`.
enum RouteVariable {
    static let prefix = "RELAY_ROUTE_"
    private static let suffixes: [(suffix: String, key: String, fromFile: Bool)] = {
        var all = RouteSettings.keys.map { ($0, $0, false) }
        all += RouteSettings.secretKeys.map { ($0 + "_FILE", $0, true) }
        return all.sorted { $0.0.count > $1.0.count }
    }()

    static func split(_ variable: String) -> (routeName: String, key: String, fromFile: Bool)? {
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
