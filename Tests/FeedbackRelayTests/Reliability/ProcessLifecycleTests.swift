import Foundation
import NIOHTTP1
import Testing

@testable import Commands
@testable import Mapping
@testable import Observability
@testable import RelayModel
@testable import Server
@testable import Settings
@testable import Store
@testable import Upstream
@testable import Verification

/// The real binary as an operator runs it: a taken port is a start error, an idle relay sleeps.
@Suite(.serialized) struct ProcessLifecycleTests {
    static func environment(store: String) -> [String: String] {
        [
            "ELEVENLABS_API_KEY": "sk_test_fake_key_2f9c", "ELEVENLABS_BASE_URL": "http://127.0.0.1:9", "RELAY_ALLOW_INSECURE_UPSTREAM": "true",
            "RELAY_STORE": "sqlite:" + store, "RELAY_LOG_LEVEL": "warning", "RELAY_ROUTE_T_PRESET": "token", "RELAY_ROUTE_T_TOKEN_HEADER": "X-Token",
            "RELAY_ROUTE_T_SECRET": "tok-123", "RELAY_ROUTE_T_CONVERSATION_ID": "/c", "RELAY_ROUTE_T_FEEDBACK": "/f", "RELAY_ROUTE_T_LIKE": "up",
            "RELAY_ROUTE_T_DISLIKE": "down",
        ]
    }

    static func store() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("lifecycle-\(UUID())/relay.sqlite").path
    }

    /// Waits for the process to end, at most `limit`; its exit status, or nil if it is still running.
    static func exitStatus(_ process: RelayProcess, within limit: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + limit
        while process.process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        return process.process.isRunning ? nil : process.process.terminationStatus
    }

    @Test(arguments: [("RELAY_LISTEN", 0), ("RELAY_MANAGEMENT_LISTEN", 1)])
    func aTakenPortExits1NamingTheVariable(variable: String, offset: Int) async throws {
        let first = try RelayProcess(environment: Self.environment(store: Self.store()))
        defer { _ = first.stop() }
        #expect(await first.waitUntilReady())
        // The second takes the other port of the pair free, and the first's port for `variable`.
        let free = first.port + 2
        var env = Self.environment(store: Self.store())
        env["RELAY_LISTEN"] = "127.0.0.1:\(offset == 0 ? first.port : free)"
        env["RELAY_MANAGEMENT_LISTEN"] = "127.0.0.1:\(offset == 1 ? first.port + 1 : free)"
        let second = try RelayProcess(environment: env, port: free, overrideListeners: false)
        let status = await Self.exitStatus(second, within: .seconds(30))
        if status == nil { second.kill9() }
        #expect(status == 1, "a relay whose port is taken exits 1")
        let taken = "127.0.0.1:\(first.port + offset)"
        #expect(second.log.contains("\(variable): cannot listen on \(taken)"), "\(second.log)")
    }

    @Test func anIdleRelaySleeps() async throws {
        let relay = try RelayProcess(environment: Self.environment(store: Self.store()))
        defer { _ = relay.stop() }
        #expect(await relay.waitUntilReady())
        // One stored event whose delivery fails (nothing listens upstream) and one accept that woke the worker.
        let reply = try await RelayHarness.send(
            relay.url + "/hooks/t",
            method: .POST,
            body: #"{"c":"conv_idle","f":"up"}"#,
            headers: [("X-Token", "tok-123")]
        )
        #expect(reply.status == 202)
        try await Task.sleep(for: .seconds(1))
        let before = try Self.cpuSeconds(relay.process.processIdentifier)
        try await Task.sleep(for: .seconds(10))
        let used = try Self.cpuSeconds(relay.process.processIdentifier) - before
        // A spinning worker used 2.5-3.5 s of CPU in 10 s; a sleeping one uses a few hundredths.
        #expect(used < 1.0, "an idle relay used \(used) s of CPU in 10 s")
    }

    /// `StartupPageRelease`: once listening, `serve` unmaps its read-only file mappings, which it logs with
    /// its RSS before and after: unmapping lowers it at once, whatever the kernel later maps again.
    @Test func aListeningRelayReleasesItsStartupPages() async throws {
        var env = Self.environment(store: Self.store())
        env["RELAY_LOG_LEVEL"] = "info"
        let relay = try RelayProcess(environment: env)
        defer { _ = relay.stop() }
        #expect(await relay.waitUntilReady())
        let smaps = try String(contentsOfFile: "/proc/\(relay.process.processIdentifier)/smaps", encoding: .utf8)
        #expect(StartupPageRelease.releasable(smaps).count > 0)
        #expect(relay.process.isRunning, "the relay runs on with its pages released")
        relay.process.terminate()
        relay.process.waitUntilExit()
        let log = relay.log
        let line = try #require(log.split(separator: "\n").first { $0.contains(#""msg":"start-up pages released""#) }, "\(log)")
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let before = try #require((fields["rss_before_mb"] as? String).flatMap(Double.init))
        let after = try #require((fields["rss_after_mb"] as? String).flatMap(Double.init))
        #expect(after < before - 1, "at least 1 MB unmapped: \(line)")
    }

    /// `nameThisThread`: the curl and log threads carry names an operator sees in `top -H` and perf.
    @Test func theRelaysOwnThreadsAreNamed() async throws {
        let relay = try RelayProcess(environment: Self.environment(store: Self.store()))
        defer { _ = relay.stop() }
        #expect(await relay.waitUntilReady())
        let tasks = "/proc/\(relay.process.processIdentifier)/task"
        let names = try FileManager.default.contentsOfDirectory(atPath: tasks).map {
            try String(contentsOfFile: "\(tasks)/\($0)/comm", encoding: .utf8).trimmingCharacters(in: .newlines)
        }
        #expect(names.contains("relay-curl"), "\(names)")
        #expect(names.contains("relay-log"), "\(names)")
    }

    /// User plus system time of a process, from /proc.
    static func cpuSeconds(_ pid: Int32) throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        let fields = stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ")
        // Fields 14 and 15 of the file (utime, stime), counted after the command name.
        return Double(Int(fields[11])! + Int(fields[12])!) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
