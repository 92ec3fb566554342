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

/// Collects problems while configuration is read, so one start reports all of them.
package final class ProblemLog {
    private(set) var issues: [ConfigError.Issue] = []

    package func report(_ variable: String, _ message: String) {
        issues.append(.init(variable: variable, message: message))
    }

    package func report(_ variable: GlobalVariable, _ message: String) {
        report(variable.rawValue, message)
    }

    package var isEmpty: Bool { issues.isEmpty }
}
