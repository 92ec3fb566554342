import Foundation
import NIOCore
import NIOHTTP1

@testable import Commands
@testable import Mapping
@testable import Observability
@testable import RelayModel
@testable import Server
@testable import Settings
@testable import Store
@testable import Upstream
@testable import Verification

/// The real `feedback-relay serve` binary, started on loopback ports for a test.
final class RelayProcess {
    let process = Process()
    let port: Int
    let output = Pipe()

    var url: String { "http://127.0.0.1:\(port)" }
    var managementURL: String { "http://127.0.0.1:\(port + 1)" }

    /// `shell` wraps the command, e.g. `ulimit -f 2000; exec "$@"`.
    /// `overrideListeners: false` keeps the listen addresses the environment gives.
    /// The default port is free with the three after it: tests start a second relay on `port + 2`.
    init(environment: [String: String], port: Int = LoopbackPorts.freeRun(4), shell: String? = nil, overrideListeners: Bool = true) throws {
        self.port = port
        let binary = CommandLineTests.binary.path
        if let shell {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", shell, "sh", binary, "serve"]
        } else {
            process.executableURL = CommandLineTests.binary
            process.arguments = ["serve"]
        }
        var listeners = ["PATH": "/usr/bin:/bin"]
        if overrideListeners {
            listeners["RELAY_LISTEN"] = "127.0.0.1:\(port)"
            listeners["RELAY_MANAGEMENT_LISTEN"] = "127.0.0.1:\(port + 1)"
        }
        process.environment = environment.merging(listeners) { $1 }
        process.standardOutput = output
        process.standardError = output
        try process.run()
    }

    /// True once `/readyz` answers 200; false as soon as the process has exited, or after 30 s.
    func waitUntilReady() async -> Bool {
        if await Self.waitUntilReady(managementURL: managementURL, process: process) { return true }
        if !process.isRunning { print("relay on \(port) exited \(process.terminationStatus) before it was ready: \(log)") }
        return false
    }

    /// The same for any `serve` process. Each probe has a timeout of its own: the HTTP client retries a
    /// refused connection until its deadline, so a relay that never listens would hold each for 30 s.
    static func waitUntilReady(managementURL: String, process: Process) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(30)
        while process.isRunning, ContinuousClock.now < deadline {
            let probe = try? await RelayHarness.send(managementURL + "/readyz", method: .GET, body: nil, headers: [], timeout: .seconds(1))
            if probe?.status == 200 { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM, then the exit status; a relay still draining a minute later (far past any drain the tests
    /// configure) is killed, and its status is then SIGKILL's, which no test expects.
    func stop() -> Int32 {
        process.terminate()
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        guard process.isRunning else { return process.terminationStatus }
        kill9()
        return -SIGKILL
    }

    var log: String {
        String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
    }
}
