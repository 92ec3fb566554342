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
