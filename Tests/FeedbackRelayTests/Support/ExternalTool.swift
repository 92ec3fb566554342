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
        // Standard error goes to a file: a tool that filled that pipe while the test read the other would hang.
        let errorsPath = FileManager.default.temporaryDirectory.appendingPathComponent("tool-\(UUID().uuidString).err").path
        try #require(FileManager.default.createFile(atPath: errorsPath, contents: nil))
        defer { try? FileManager.default.removeItem(atPath: errorsPath) }
        let errors = try #require(FileHandle(forWritingAtPath: errorsPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let stdout = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try errors.close()
        let run = Run(status: process.terminationStatus, stdout: stdout, stderr: try String(contentsOfFile: errorsPath, encoding: .utf8))
        try #require(run.status != 127, "\(arguments[0]) is not installed (Debian: apt-get install \(package))")
        return run
    }
}
