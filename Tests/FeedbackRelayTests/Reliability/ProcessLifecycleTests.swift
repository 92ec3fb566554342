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

    /// `StartupPageRelease`: once listening, `serve` marks its read-only file mappings for random reads
    /// and unmaps them. The mark (VmFlags `rr` in smaps) shows which it took.
    @Test func aListeningRelayReleasesItsStartupPages() async throws {
        var env = Self.environment(store: Self.store())
        env["RELAY_LOG_LEVEL"] = "info"
        let relay = try RelayProcess(environment: env)
        defer { _ = relay.stop() }
        #expect(await relay.waitUntilReady())
        let pid = relay.process.processIdentifier
        let binary = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")
        var flags: [String] = []
        for _ in 0..<100 {
            flags = try Self.mappingFlags(pid, path: binary)
            if flags.contains(where: { $0.hasPrefix("r-x") && $0.contains(" rr") }) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(flags.contains { $0.hasPrefix("r-x") && $0.contains(" rr") }, "the binary's code is read at random: \(flags)")
        #expect(flags.allSatisfy { !$0.hasPrefix("rw") || !$0.contains(" rr") }, "writable mappings are left alone: \(flags)")
        let smaps = try String(contentsOfFile: "/proc/\(pid)/smaps", encoding: .utf8)
        #expect(StartupPageRelease.releasable(smaps).count > 0)
        #expect(relay.process.isRunning, "the relay runs on with its pages released")
        relay.process.terminate()
        relay.process.waitUntilExit()
        #expect(relay.log.contains(#""msg":"start-up pages released""#), "\(relay.log)")
    }

    /// For each mapping of `path` in the process: its permissions, then its VmFlags.
    static func mappingFlags(_ pid: Int32, path: String) throws -> [String] {
        let smaps = try String(contentsOfFile: "/proc/\(pid)/smaps", encoding: .utf8)
        var result: [String] = []
        var permissions: String?
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count >= 6, fields[0].contains("-"), fields[0].allSatisfy({ $0.isHexDigit || $0 == "-" }) {
                permissions = fields[5...].joined(separator: " ") == path ? String(fields[1]) : nil
            } else if let current = permissions, line.hasPrefix("VmFlags:") {
                result.append(current + " " + line.dropFirst("VmFlags:".count))
            }
        }
        return result
    }

    /// User plus system time of a process, from /proc.
    static func cpuSeconds(_ pid: Int32) throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        let fields = stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ")
        // Fields 14 and 15 of the file (utime, stime), counted after the command name.
        return Double(Int(fields[11])! + Int(fields[12])!) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
