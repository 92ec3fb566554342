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

/// Durability with the real binary: what was answered 202 survives `kill -9`, and a full disk is a 503
/// that leaves a store that opens cleanly.
@Suite(.serialized) struct CrashSafetyTests {
    static func environment(upstream: String, store: String) -> [String: String] {
        [
            "ELEVENLABS_API_KEY": "sk_test_fake_key_2f9c", "ELEVENLABS_BASE_URL": upstream, "RELAY_ALLOW_INSECURE_UPSTREAM": "true",
            "RELAY_STORE": "sqlite:" + store, "RELAY_UPSTREAM_TIMEOUT": "1s", "RELAY_CONCURRENCY": "16", "RELAY_LOG_LEVEL": "error",
            "RELAY_ROUTE_CSAT_PRESET": "github", "RELAY_ROUTE_CSAT_SECRET": "crash-secret", "RELAY_ROUTE_CSAT_CONVERSATION_ID": "/conversation_id",
            "RELAY_ROUTE_CSAT_FEEDBACK": "/rating", "RELAY_ROUTE_CSAT_LIKE": "good", "RELAY_ROUTE_CSAT_DISLIKE": "bad",
            "RELAY_ROUTE_CSAT_EVENT_ID": "/id",
        ]
    }

    /// Posts one signed event per body, 20 at a time; returns the answers' statuses in order.
    static func post(_ bodies: [String], to relay: RelayProcess, route: Route) async throws -> [Int] {
        try await post(bodies, to: relay.url, route: route)
    }

    static func post(_ bodies: [String], to url: String, route: Route) async throws -> [Int] {
        var statuses = [Int](repeating: 0, count: bodies.count)
        for start in stride(from: 0, to: bodies.count, by: 20) {
            try await withThrowingTaskGroup(of: (Int, Int).self) { group in
                for index in start..<min(start + 20, bodies.count) {
                    group.addTask {
                        let signed = try RequestSigner.sign(route: route, body: Array(bodies[index].utf8), now: Date())
                        let reply = try await RelayHarness.send(
                            url + signed.target,
                            method: .POST,
                            body: bodies[index],
                            headers: signed.headers.map { ($0.name, $0.value) }
                        )
                        return (index, reply.status)
                    }
                }
                for try await (index, status) in group { statuses[index] = status }
            }
        }
        return statuses
    }

    /// Posts padded events, 50 at a time, until the store refuses one (or 1,000 went in); their statuses.
    static func fillUntil503(_ relay: RelayProcess, route: Route, conversationPrefix: String) async throws -> [Int] {
        let padding = String(repeating: "x", count: 2000)
        var statuses: [Int] = []
        for batch in 0..<20 where !statuses.contains(503) {
            let bodies = (0..<50).map {
                #"{"id":"evt-\#(batch)-\#($0)-\#(padding)","conversation_id":"\#(conversationPrefix)_\#(batch)_\#($0)","rating":"good"}"#
            }
            statuses += try await post(bodies, to: relay, route: route)
        }
        return statuses
    }

    @Test func everyAcceptedEventArrivesExactlyOnceAfterKill9() async throws {
        let store = FileManager.default.temporaryDirectory.appendingPathComponent("crash-\(UUID())/relay.sqlite").path
        try await FakeElevenLabs.withRunning { fake, upstream in
            let env = Self.environment(upstream: upstream, store: store)
            let route = try #require(try RelayConfig.load(environment: env).route(named: "csat"))
            let bodies = (0..<200).map { #"{"id":"evt-\#($0)","conversation_id":"conv_crash_\#($0)","rating":"good"}"# }

            fake.behave(.status(503, body: #"{"detail":"down"}"#))
            let first = try RelayProcess(environment: env)
            #expect(await first.waitUntilReady())
            let statuses = try await Self.post(bodies, to: first, route: route)
            #expect(statuses.allSatisfy { $0 == 202 }, "\(Set(statuses))")
            first.kill9()

            let second = try RelayProcess(environment: env)
            #expect(await second.waitUntilReady())
            fake.behave(.normal)
            let all = Set(bodies.indices.map { "/v1/convai/conversations/conv_crash_\($0)/feedback" })
            #expect(await fake.waitUntil(timeout: .seconds(40)) { _ in Set(fake.accepted) == all })
            try await Task.sleep(for: .milliseconds(500))
            #expect(fake.accepted.count == 200, "each exactly once: \(fake.accepted.count) successful calls")

            let callsBefore = fake.recorded.count
            let again = try await Self.post(bodies, to: second, route: route)
            #expect(again.allSatisfy { $0 == 200 }, "\(Set(again))")
            try await Task.sleep(for: .milliseconds(500))
            #expect(fake.recorded.count == callsBefore)
            #expect(second.stop() == 0)
        }
    }

    /// Results that cannot be written while the disk is full are kept, not lost with the lease: no call
    /// is made twice, however long the lease has lapsed.
    @Test func aFullDiskNeverRepeatsACall() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("full-calls-\(UUID())")
        let store = directory.appendingPathComponent("relay.sqlite").path
        try await FakeElevenLabs.withRunning { fake, upstream in
            let env = Self.environment(upstream: upstream, store: store)
            let route = try #require(try RelayConfig.load(environment: env).route(named: "csat"))
            let relay = try RelayProcess(environment: env, shell: #"ulimit -f 1024; exec "$@""#)
            #expect(await relay.waitUntilReady())
            let statuses = try await Self.fillUntil503(relay, route: route, conversationPrefix: "conv_calls")
            #expect(statuses.contains(503), "the store never filled up")
            // Past the lease (upstream timeout 1 s + 5 s), a lost result would have been sent again.
            try await Task.sleep(for: .seconds(9))
            let paths = fake.recorded.map(\.path)
            #expect(!paths.isEmpty)
            #expect(paths.count == Set(paths).count, "\(paths.count - Set(paths).count) calls were made again")
            #expect(relay.stop() == 0)
        }
    }

    @Test func aFullDiskIs503AndTheStoreStillOpens() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("full-\(UUID())")
        let store = directory.appendingPathComponent("relay.sqlite").path
        try await FakeElevenLabs.withRunning { fake, upstream in
            fake.behave(.status(503, body: "{}"))
            let env = Self.environment(upstream: upstream, store: store)
            let route = try #require(try RelayConfig.load(environment: env).route(named: "csat"))
            // Files may grow to 512 KB: the store fills up after a few hundred of these events.
            let relay = try RelayProcess(environment: env, shell: #"ulimit -f 1024; exec "$@""#)
            #expect(await relay.waitUntilReady())
            let statuses = try await Self.fillUntil503(relay, route: route, conversationPrefix: "conv_full")
            #expect(statuses.contains(503), "the store never filled up")
            #expect(Set(statuses).isSubset(of: [202, 503]), "\(Set(statuses))")
            let accepted = statuses.filter { $0 == 202 }.count
            #expect(accepted > 0, "the store was full before it took anything")
            print("disk-full: \(accepted) accepted before the first 503 of \(statuses.count)")
            let ready = try await RelayHarness.send(relay.managementURL + "/readyz", method: .GET, body: nil, headers: [])
            #expect(ready.status == 503 && ready.json["status"] as? String == "store_unwritable", "\(ready.status) \(ready.body)")
            #expect(relay.stop() == 0)

            let reopened = try SQLiteDeliveryStore(path: store)
            try await reopened.ping()
            let pending = try await reopened.count(state: .pending)
            #expect(pending == accepted, "every 202 is in the store, nothing else: \(pending) vs \(accepted)")
        }
    }
}
