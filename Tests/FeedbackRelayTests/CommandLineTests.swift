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

/// The `feedback-relay` binary itself, as an operator runs it.
@Suite struct CommandLineTests {
    static var binary: URL {
        Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("feedback-relay")
    }

    typealias Run = CapturedProcess.Output

    func run(_ arguments: [String], environment: [String: String]) throws -> Run {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { $1 }
        return try CapturedProcess.run(process)
    }

    static let env = ["ELEVENLABS_API_KEY": "sk_cli_key_77", "RELAY_ROUTE_CALLS_PRESET": "elevenlabs", "RELAY_ROUTE_CALLS_SECRET": "wsec_cli_secret"]

    @Test func checkConfigExitsNonZeroNamingTheVariable() throws {
        let bad = try run(["check-config"], environment: Self.env.merging(["RELAY_CONCURRENCY": "many"]) { $1 })
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("RELAY_CONCURRENCY: 'many' is not a whole number"))
        #expect(bad.stdout.isEmpty)
        let serve = try run(["serve"], environment: Self.env.merging(["RELAY_ROUTE_CALLS_PRESET": "elevenlab"]) { $1 })
        #expect(serve.status == 1)
        #expect(serve.stderr.contains("RELAY_ROUTE_CALLS_PRESET: unknown preset 'elevenlab'"))
    }

    @Test func versionNeedsNoConfiguration() throws {
        let version = try run(["--version"], environment: [:])
        #expect(version.status == 0)
        #expect(version.stdout == RelayVersion.current + "\n")
        #expect(RelayVersion.current.split(separator: ".").count == 3)
    }

    @Test func checkConfigPrintsRoutesWithoutSecrets() throws {
        let good = try run(["check-config"], environment: Self.env)
        #expect(good.status == 0)
        #expect(good.stdout.contains("POST /hooks/calls  preset elevenlabs"))
        #expect(!good.stdout.contains("sk_cli_key_77") && !good.stdout.contains("wsec_cli_secret"))
    }

    @Test func signPrintsHeadersThatVerify() throws {
        let body = #"{"type":"post_call_transcription","data":{"conversation_id":"conv_cli","analysis":{"call_successful":"success"}}}"#
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sign-\(UUID()).json")
        try body.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let signed = try run(["sign", "calls", "--body", file.path, "--now", "1768388726"], environment: Self.env)
        #expect(signed.status == 0, "\(signed.stderr)")
        let headers = signed.stdout.split(separator: "\n").compactMap { line -> (String, String)? in
            let parts = line.split(separator: ":", maxSplits: 1)
            return parts.count == 2 ? (String(parts[0]), parts[1].trimmingCharacters(in: .whitespaces)) : nil
        }
        #expect(headers.contains { $0.0 == "ElevenLabs-Signature" && $0.1.hasPrefix("t=1768388726,v0=") })
        let route = try #require(try RelayConfig.load(environment: Self.env).route(named: "calls"))
        let request = SignedRequest(method: "POST", target: "/hooks/calls", headers: headers, body: Array(body.utf8))
        #expect(route.verifier.verify(request, now: Date(timeIntervalSince1970: 1_768_388_730)) == .verified(secretIndex: 0))

        let curl = try run(["sign", "calls", "--body", file.path, "--curl", "http://localhost:8080"], environment: Self.env)
        #expect(curl.stdout.hasPrefix("curl -sS -X POST -H 'Content-Type: application/json' -H 'ElevenLabs-Signature: t="))
        #expect(curl.stdout.contains("'http://localhost:8080/hooks/calls'"))
    }

    @Test func serveStopsCleanlyOnSIGTERM() async throws {
        let port = LoopbackPorts.freeRun(2)
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["serve"]
        let store = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID())/relay.sqlite").path
        process.environment = Self.env.merging([
            "RELAY_LISTEN": "127.0.0.1:\(port)", "RELAY_MANAGEMENT_LISTEN": "127.0.0.1:\(port + 1)", "RELAY_STORE": "sqlite:" + store,
        ]) { $1 }
        let running = try CapturedProcess.start(process, mergeErrors: true)
        #expect(await RelayProcess.waitUntilReady(managementURL: "http://127.0.0.1:\(port + 1)", process: process))
        let refused = try await RelayHarness.send("http://127.0.0.1:\(port)/hooks/calls", method: .POST, body: "{}", headers: [])
        #expect(refused.status == 401)
        process.terminate()
        let log = try running.finish().stdout
        #expect(process.terminationReason == .exit && process.terminationStatus == 0, "\(log)")
        #expect(log.contains(#""msg":"stopped""#))
        #expect(!log.contains("sk_cli_key_77"))
    }
}
