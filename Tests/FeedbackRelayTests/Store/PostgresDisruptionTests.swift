import Foundation
import NIOHTTP1
import Testing

@testable import Settings
@testable import Store

/// Two relays on PostgreSQL under steady load while something goes away: each replica restarted in turn,
/// then the database itself stopped and started. Whatever a relay stored is delivered.
@Suite(.serialized) struct PostgresDisruptionTests {
    @Test func aRollingRestartLosesNothingStored() async throws {
        let database = try TestPostgres.freshDatabase()
        try await FakeElevenLabs.withRunning { fake, upstream in
            let env = PostgresReplicaTests.environment(upstream: upstream, store: database)
            let route = try #require(try RelayConfig.load(environment: env).route(named: "csat"))
            var (a, b) = try await PostgresReplicaTests.startPair(env)
            let load = SteadyLoad(replicas: [a.url, b.url], route: route, prefix: "rolling")
            let sending = Task { await load.run(senders: 8) }
            #expect(await load.waitForMore(100))
            // SIGTERM A, start A, SIGTERM B, start B: a rolling deploy of two replicas.
            #expect(a.stop() == 0)
            a = try RelayProcess(environment: env, port: a.port)
            #expect(await a.waitUntilReady())
            #expect(await load.waitForMore(100))
            #expect(b.stop() == 0)
            b = try RelayProcess(environment: env, port: b.port)
            #expect(await b.waitUntilReady())
            #expect(await load.waitForMore(100))
            await load.stop()
            await sending.value
            let unexpected = await load.unexpected
            #expect(unexpected.isEmpty, "answers no relay should give: \(unexpected)")
            let stored = await load.stored
            let all = Set(stored.map { PostgresReplicaTests.path(load.conversation($0)) })
            #expect(await fake.waitUntil(timeout: .seconds(60)) { _ in Set(fake.accepted).isSuperset(of: all) })
            // The README (Several replicas on PostgreSQL) quotes a run of this line.
            print("rolling restart: \(stored.count) events stored, \(await load.unavailable) answers 503, \(await load.refused) refused connections")
            #expect(a.stop() == 0 && b.stop() == 0)
        }
    }

    @Test func theDatabaseStoppedAndStartedUnderLoadLosesNothing() async throws {
        let server = try OwnPostgresServer()
        try await FakeElevenLabs.withRunning { fake, upstream in
            let env = PostgresReplicaTests.environment(upstream: upstream, store: server.url)
            let route = try #require(try RelayConfig.load(environment: env).route(named: "csat"))
            let (a, b) = try await PostgresReplicaTests.startPair(env)
            let load = SteadyLoad(replicas: [a.url, b.url], route: route, prefix: "outage")
            let sending = Task { await load.run(senders: 8) }
            #expect(await load.waitForMore(100))
            try server.stop()
            let readiness = try await RelayHarness.send(a.managementURL + "/readyz", method: .GET, body: nil, headers: [])
            #expect(readiness.status == 503 && readiness.body.contains("store_unreachable"), "\(readiness.status) \(readiness.body)")
            let before = await load.unavailable
            try await Task.sleep(for: .seconds(6))
            #expect(await load.unavailable > before, "no 503 while the database was down")
            try server.resume()
            // The same two processes recover by themselves.
            #expect(await load.waitForMore(200))
            #expect(a.process.isRunning && b.process.isRunning)
            await load.stop()
            await sending.value
            let unexpected = await load.unexpected
            #expect(unexpected.isEmpty, "answers no relay should give: \(unexpected)")
            let all = Set(await load.stored.map { PostgresReplicaTests.path(load.conversation($0)) })
            #expect(await fake.waitUntil(timeout: .seconds(60)) { _ in Set(fake.accepted).isSuperset(of: all) })
            #expect(a.stop() == 0 && b.stop() == 0)
        }
    }
}
