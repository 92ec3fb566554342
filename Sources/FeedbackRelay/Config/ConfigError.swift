/// Everything wrong with the configuration, each problem naming the variable to fix.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public struct Issue: Sendable, Equatable {
        public let variable: String
        public let message: String
    }

    /// A problem not yet tied to a variable; the caller that knows the variable wraps it.
    public struct Problem: Error, Sendable {
        public let message: String

        public init(_ message: String) {
            self.message = message
        }
    }

    public var issues: [Issue]

    public var description: String {
        issues.map { "\($0.variable): \($0.message)" }.joined(separator: "\n")
    }
}

/// Collects problems while configuration is read, so one start reports all of them.
final class ProblemLog {
    private(set) var issues: [ConfigError.Issue] = []

    func report(_ variable: String, _ message: String) {
        issues.append(.init(variable: variable, message: message))
    }

    var isEmpty: Bool { issues.isEmpty }
}
