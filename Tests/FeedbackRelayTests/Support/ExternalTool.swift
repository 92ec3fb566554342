import Foundation
import Testing

/// A command-line tool the deploy files are checked with (kubectl, promtool), run from `PATH`.
struct ExternalTool {
    typealias Run = CapturedProcess.Output

    /// Runs `arguments`; fails the test, naming the Debian package, when the tool is not installed.
    static func run(_ arguments: [String], package: String) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let run = try CapturedProcess.run(process)
        try #require(run.status != 127, "\(arguments[0]) is not installed (Debian: apt-get install \(package))")
        return run
    }
}
