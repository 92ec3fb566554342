import Foundation
import Testing

@testable import Settings
@testable import Store

/// Several relays on one PostgreSQL database (the real binary, the test server of `scripts/postgres.sh`,
/// the fake ElevenLabs): what one replica accepted, no other accepts again, and nothing accepted is lost
/// when a replica dies.
@Suite(.serialized) struct PostgresReplicaTests {
    static func environment(upstream: String, store: String, timeout: String = "1s") -> [String: String] {
        CrashSafetyTests.environment(upstream: upstream, store: "-").merging(["RELAY_STORE": store, "RELAY_UPSTREAM_TIMEOUT": timeout]) { $1 }
    }

    static func path(_ conversation: String) -> String { "/v1/convai/conversations/\(conversation)/feedback" }

    /// Two relays on one store, on neighbouring ports, once both are ready.
    static func startPair(_ env: [String: String]) async throws -> (RelayProcess, RelayProcess) {
        let a = try RelayProcess(environment: env)
        let b = try RelayProcess(environment: env, port: a.port + 2)
        #expect(await a.waitUntilReady())
        #expect(await b.waitUntilReady())
        return (a, b)
    }

    @Test func eachEventSentToBothReplicasIsAcceptedOnceAndDeliveredOnce() async throws {
        let database = try TestPostgres.freshDatabase()
        try await FakeElevenLabs.withRunning { fake, upstream in
            let env = Self.environment(upstream: upstream, store: database)
            let route = try #require(try RelayConfig.load(environment: env).route(named: "csat"))
            let (a, b) = try await Self.startPair(env)
            let bodies = (0..<1000).map { #"{"id":"evt-\#($0)","conversation_id":"conv_pair_\#($0)","rating":"good"}"# }
            let (urlA, urlB) = (a.url, b.url)
            var answers: [[Int]] = []
            for start in stride(from: 0, to: bodies.count, by: 25) {
                let batch = Array(bodies[start..<min(start + 25, bodies.count)])
                // Both copies of an event leave at the same moment, one to each replica.
                async let fromA = CrashSafetyTests.post(batch, to: urlA, route: route)
                async let fromB = CrashSafetyTests.post(batch, to: urlB, route: route)
                let (first, second) = try await (fromA, fromB)
                answers += zip(first, second).map { [$0, $1].sorted() }
            }
            let wrong = answers.enumerated().filter { $0.element != [200, 202] }
            #expect(wrong.isEmpty, "events not answered once 202 and once 200 (duplicate): \(wrong.prefix(5))")
            let all = Set(bodies.indices.map { Self.path("conv_pair_\($0)") })
            #expect(await fake.waitUntil(timeout: .seconds(60)) { _ in Set(fake.accepted).isSuperset(of: all) })
            try await Task.sleep(for: .milliseconds(500))
            #expect(fake.accepted.count == 1000, "each delivered exactly once: \(fake.accepted.count) calls")
            #expect(a.stop() == 0 && b.stop() == 0)
        }
    }

    @Test func theNewestOfOneConversationWinsAcrossReplicas() async throws {
        let database = try TestPostgres.freshDatabase()
        try await FakeElevenLabs.withRunning { fake, upstream in
            let env = Self.environment(upstream: upstream, store: database).merging(["RELAY_ROUTE_CSAT_EVENT_TIME": "/at"]) { $1 }
            let route = try #require(try RelayConfig.load(environment: env).route(named: "csat"))
            fake.behave(.status(503, body: "{}"))
            let (a, b) = try await Self.startPair(env)
            // like, dislike, like for each conversation, alternating replicas, with the sender's time in order.
            let base = Int(Date().timeIntervalSince1970)
            for conversation in 0..<20 {
                for (step, rating) in ["good", "bad", "good"].enumerated() {
                    let body =
                        #"{"id":"evt-\#(conversation)-\#(step)","conversation_id":"conv_newest_\#(conversation)","rating":"\#(rating)","at":\#(base + step)}"#
                    let statuses = try await CrashSafetyTests.post([body], to: step.isMultiple(of: 2) ? a : b, route: route)
                    #expect(statuses == [202])
                }
            }
            let refused = fake.recorded.count
            fake.behave(.normal)
            let all = Set((0..<20).map { Self.path("conv_newest_\($0)") })
            #expect(await fake.waitUntil(timeout: .seconds(60)) { _ in Set(fake.accepted).isSuperset(of: all) })
            try await Task.sleep(for: .seconds(2))
            // A call already on its way when ElevenLabs recovers cannot be taken back; what matters is that the
            // newest is sent after it, never before: each conversation's last call is its last like.
            var last: [String: String] = [:]
            for call in fake.recorded.dropFirst(refused) { last[call.path] = call.body }
            #expect(last.count == 20 && last.values.allSatisfy { $0 == #"{"feedback":"like"}"# }, "\(last)")
            #expect(a.stop() == 0 && b.stop() == 0)
        }
    }

    @Test func workOfAKilledReplicaIsDeliveredByTheOther() async throws {
        let database = try TestPostgres.freshDatabase()
        try await FakeElevenLabs.withRunning { fake, upstream in
            // A slow upstream: the killed replica dies with calls in flight; their leases end 5 s after the timeout.
            let env = Self.environment(upstream: upstream, store: database, timeout: "2s")
            let route = try #require(try RelayConfig.load(environment: env).route(named: "csat"))
            fake.behave(.delay(.seconds(1)))
            let a = try RelayProcess(environment: env)
            #expect(await a.waitUntilReady())
            let bodies = (0..<60).map { #"{"id":"evt-\#($0)","conversation_id":"conv_kill_\#($0)","rating":"bad"}"# }
            let statuses = try await CrashSafetyTests.post(bodies, to: a, route: route)
            #expect(statuses.allSatisfy { $0 == 202 })
            #expect(await fake.waitUntil(timeout: .seconds(30)) { !$0.isEmpty })
            a.kill9()
            let b = try RelayProcess(environment: env, port: a.port + 2)
            #expect(await b.waitUntilReady())
            fake.behave(.normal)
            let all = Set(bodies.indices.map { Self.path("conv_kill_\($0)") })
            #expect(await fake.waitUntil(timeout: .seconds(60)) { _ in Set(fake.accepted).isSuperset(of: all) })
            #expect(b.stop() == 0)
        }
    }

    @Test(arguments: [
        ("postgres://relay_admin:wrong-password@127.0.0.1:PORT/relay_test?sslmode=disable", "password authentication failed"),
        ("postgres://relay_admin:x@127.0.0.1:1/relay_test?sslmode=disable", "Connection refused"),
        ("postgres://relay_no_rights:relay-test-password@127.0.0.1:PORT/DATABASE?sslmode=disable", "permission denied"),
        ("postgres://relay_admin:relay-test-password@127.0.0.1:PORT/no_such_database?sslmode=disable", "does not exist"),
    ])
    func aStoreThatCannotBeUsedStopsTheStartNamingRELAY_STORE(url: String, reason: String) async throws {
        let admin = try PostgresLocation(parsing: try TestPostgres.adminURL())
        let database = try #require(URLComponents(string: try TestPostgres.freshDatabase())?.path.dropFirst())
        let store = url.replacingOccurrences(of: "PORT", with: String(admin.port)).replacingOccurrences(of: "DATABASE", with: String(database))
        let run = try CommandLineTests().run(
            ["serve"],
            environment: Self.environment(upstream: "http://127.0.0.1:9", store: store).merging([
                "RELAY_LISTEN": "127.0.0.1:0", "RELAY_MANAGEMENT_LISTEN": "127.0.0.1:0",
            ]) { $1 }
        )
        #expect(run.status == 1)
        #expect(run.stderr.contains("RELAY_STORE: cannot use postgres://"), "\(run.stderr)")
        #expect(run.stderr.contains(reason), "\(run.stderr)")
        #expect(!run.stderr.contains("wrong-password") && !run.stderr.contains("relay-test-password"))
    }
}
