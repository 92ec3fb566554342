/// Everything wrong with the configuration, each problem naming the variable to fix.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public struct Issue: Sendable, Equatable {
        public let variable: String
        public let message: String
    }

    public var issues: [Issue]

    public var description: String {
        issues.map { "\($0.variable): \($0.message)" }.joined(separator: "\n")
    }
}
