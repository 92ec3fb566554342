import Foundation

@testable import Store

/// A PostgreSQL server of one test's own (`scripts/postgres.sh` on its own port and directory), for the
/// tests that stop it and start it again while relays use it.
final class OwnPostgresServer {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../scripts/postgres.sh")

    let url: String
    private let environment: [String: String]

    init() throws {
        // Below Linux's ephemeral ports (32768 and up), so no client connection can be holding it.
        let port = LoopbackPorts.freeRun(1, in: 30000..<32700)
        environment = ProcessInfo.processInfo.environment.merging([
            "PGPORT": String(port), "POSTGRES_DIR": "/tmp/feedback-relay-postgres-\(port)",
        ]) { $1 }
        url = try Self.run("start", environment: environment)
    }

    /// A fast shutdown: open sessions are ended, committed work stays on disk.
    func stop() throws { _ = try Self.run("stop", environment: environment) }

    func resume() throws { _ = try Self.run("resume", environment: environment) }

    deinit { try? stop() }

    private static func run(_ command: String, environment: [String: String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script.path, command]
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        let output = try CapturedProcess.run(process, mergeErrors: true)
        let text = output.stdout
        guard output.status == 0 else { throw StoreError("scripts/postgres.sh \(command): \(text)") }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
