import Foundation
import Testing

/// A command-line tool the deploy files are checked with (kubectl, promtool), run from `PATH`.
struct ExternalTool {
    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs `arguments`; fails the test, naming the Debian package, when the tool is not installed.
    static func run(_ arguments: [String], package: String) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = try CapturedProcess.run(process)
        let run = Run(status: output.status, stdout: output.stdout, stderr: output.stderr)
        try #require(run.status != 127, "\(arguments[0]) is not installed (Debian: apt-get install \(package))")
        return run
    }
}
