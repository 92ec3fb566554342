import Foundation
import NIOHTTP1
import Synchronization
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

/// Queue mode end to end: 202 once on disk, then the worker delivers to the fake ElevenLabs.
@Suite struct QueueDeliveryTests {
    static let env = [
        "RELAY_DELIVERY": "queue", "RELAY_ADMIN_TOKEN": "admin-secret-token",
        "RELAY_ROUTE_CSAT_PRESET": "github", "RELAY_ROUTE_CSAT_SECRET": "csat-secret", "RELAY_ROUTE_CSAT_CONVERSATION_ID": "/conversation_id",
        "RELAY_ROUTE_CSAT_FEEDBACK": "/rating", "RELAY_ROUTE_CSAT_LIKE": "good", "RELAY_ROUTE_CSAT_DISLIKE": "bad",
        "RELAY_ROUTE_CSAT_EVENT_ID": "/id", "RELAY_ROUTE_CSAT_EVENT_TIME": "/at", "RELAY_UPSTREAM_TIMEOUT": "1s",
    ]
    static let fast = RetryPolicy(baseDelay: .milliseconds(20), maxDelay: .milliseconds(100), maxAge: .seconds(60))

    static func rating(_ conversation: String, _ rating: String, id: String = UUID().uuidString, at: Int = 1_768_000_000) -> String {
        #"{"id":"\#(id)","conversation_id":"\#(conversation)","rating":"\#(rating)","at":\#(at)}"#
    }

    func admin(
        _ relay: RelayHarness,
        _ method: HTTPMethodName,
        _ path: String,
        token: String? = "admin-secret-token"
    ) async throws
        -> RelayHarness.Reply
    {
        try await RelayHarness.send(
            relay.managementURL + path,
            method: method.nio,
            body: method == .post ? "" : nil,
            headers: token.map { [("Authorization", "Bearer \($0)")] } ?? []
        )
    }

    @Test func acceptsThenDeliversAndDeduplicates() async throws {
        try await RelayHarness.run(Self.env, policy: Self.fast) { relay in
            let body = Self.rating("conv_q1", "good", id: "evt-1")
            let first = try await relay.postSigned("csat", body: body)
            #expect(first.status == 202)
            #expect(first.json["status"] as? String == "accepted")
            let id = try #require(first.json["id"] as? String)
            #expect(await relay.fake.waitUntil { $0.count == 1 })
            let sent = try #require(relay.fake.recorded.first?.feedback)
            #expect(sent.0 == "conv_q1" && sent.1 == "like")
            #expect(relay.fake.recorded.first?.apiKey == relay.fake.apiKey)

            let again = try await relay.postSigned("csat", body: body)
            #expect(again.status == 200 && again.json["status"] as? String == "duplicate" && again.json["id"] as? String == id)
            let shown = try await admin(relay, .get, "/admin/deliveries/\(id)")
            #expect(shown.json["state"] as? String == "delivered")
            #expect(shown.json["attempts"] as? Int == 1 && shown.json["last_status"] as? Int == 200)
            try await Task.sleep(for: .milliseconds(200))
            #expect(relay.fake.recorded.count == 1)
        }
    }

    @Test func retriesUntilDelivered() async throws {
        try await RelayHarness.run(Self.env, policy: Self.fast) { relay in
            relay.fake.script([.status(503, body: "{}"), .status(503, body: "{}")])
            let reply = try await relay.postSigned("csat", body: Self.rating("conv_q2", "bad"))
            #expect(reply.status == 202)
            #expect(await relay.fake.waitUntil { $0.count == 3 })
            let id = try #require(reply.json["id"] as? String)
            #expect(await waitForState(relay, id: id, "delivered"))
            let shown = try await admin(relay, .get, "/admin/deliveries/\(id)")
            #expect(shown.json["attempts"] as? Int == 3)
        }
    }

    @Test func obeysRetryAfter() async throws {
        try await RelayHarness.run(Self.env, policy: Self.fast) { relay in
            relay.fake.script([.status(429, body: #"{"detail":{"status":"too_many_concurrent_requests"}}"#, headers: ["Retry-After": "1"])])
            _ = try await relay.postSigned("csat", body: Self.rating("conv_q3", "good"))
            #expect(await relay.fake.waitUntil { $0.count == 2 })
            let calls = relay.fake.recorded
            #expect(calls[1].at - calls[0].at >= .seconds(1))
        }
    }

    @Test func refusedGoesDeadAndAnAdminRetryDeliversIt() async throws {
        try await RelayHarness.run(Self.env, policy: Self.fast) { relay in
            relay.fake.behave(.status(422, body: #"{"detail":[{"loc":["body"],"msg":"conversation not found","type":"value_error"}]}"#))
            let reply = try await relay.postSigned("csat", body: Self.rating("conv_q4", "good"))
            let id = try #require(reply.json["id"] as? String)
            #expect(await waitForState(relay, id: id, "dead"))
            let dead = try await admin(relay, .get, "/admin/deliveries?state=dead")
            let listed = try #require((dead.json["deliveries"] as? [[String: Any]])?.first)
            #expect(listed["id"] as? String == id && listed["last_status"] as? Int == 422)
            #expect((listed["last_error"] as? String)?.contains("conversation not found") == true)
            #expect(relay.fake.recorded.count == 1)

            relay.fake.behave(.normal)
            let retried = try await admin(relay, .post, "/admin/deliveries/\(id)/retry")
            #expect(retried.status == 202 && retried.json["state"] as? String == "pending")
            #expect(await waitForState(relay, id: id, "delivered"))
            #expect(relay.fake.recorded.count == 2)
            let conflict = try await admin(relay, .post, "/admin/deliveries/\(id)/retry")
            #expect(conflict.status == 409)
            #expect(try await admin(relay, .post, "/admin/deliveries/999999/retry").status == 404)
            #expect(try await admin(relay, .post, "/admin/deliveries/retry?state=dead").json["retried"] as? Int == 0)
        }
    }

    @Test func adminAPINeedsTheToken() async throws {
        try await RelayHarness.run(Self.env, policy: Self.fast) { relay in
            let missing = try await admin(relay, .get, "/admin/deliveries", token: nil)
            let wrong = try await admin(relay, .get, "/admin/deliveries", token: "admin-secret-tokeN")
            let right = try await admin(relay, .get, "/admin/deliveries")
            let badState = try await admin(relay, .get, "/admin/deliveries?state=lost")
            #expect(missing.status == 401 && wrong.status == 401 && right.status == 200 && badState.status == 400)
        }
        var without = Self.env
        without["RELAY_ADMIN_TOKEN"] = nil
        try await RelayHarness.run(without, policy: Self.fast) { relay in
            let off = try await admin(relay, .get, "/admin/deliveries")
            #expect(off.status == 404)
        }
    }

    @Test func olderFeedbackIsNeverSentAfterNewer() async throws {
        try await RelayHarness.run(Self.env, policy: Self.fast) { relay in
            relay.fake.behave(.status(503, body: "{}"))
            _ = try await relay.postSigned("csat", body: Self.rating("conv_order", "good", at: 1_768_000_000))
            _ = try await relay.postSigned("csat", body: Self.rating("conv_order", "bad", at: 1_768_000_060))
            // And an older one arriving late.
            _ = try await relay.postSigned("csat", body: Self.rating("conv_order", "good", at: 1_768_000_030))
            try await Task.sleep(for: .milliseconds(300))
            relay.fake.behave(.normal)
            #expect(await relay.fake.waitUntil { $0.contains { $0.feedback?.1 == "dislike" } })
            try await Task.sleep(for: .milliseconds(300))
            let delivered = relay.fake.recorded.compactMap(\.feedback).map(\.1)
            let successes = delivered.suffix(from: delivered.lastIndex(of: "dislike")!)
            #expect(successes == ["dislike"], "\(delivered)")
        }
    }

    @Test func aStoreFailureIsA503AndFailsReadiness() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("flaky-\(UUID())/relay.sqlite").path
        let store = FlakyStore(try SQLiteDeliveryStore(path: path))
        try await RelayHarness.run(Self.env, policy: Self.fast, store: store) { relay in
            store.failing.store(true, ordering: .relaxed)
            let refused = try await relay.postSigned("csat", body: Self.rating("conv_fail", "good"))
            #expect(refused.status == 503 && refused.body == #"{"status":"unavailable"}"#)
            let notReady = try await relay.get(relay.managementURL + "/readyz")
            #expect(notReady.status == 503 && notReady.json["status"] as? String == "store_unreachable")
            #expect(relay.logs.text.contains("cannot store the event"))

            store.failing.store(false, ordering: .relaxed)
            let accepted = try await relay.postSigned("csat", body: Self.rating("conv_fail", "good"))
            #expect(accepted.status == 202)
            #expect(try await relay.get(relay.managementURL + "/readyz").status == 200)
            #expect(await relay.fake.waitUntil { $0.count == 1 })
        }
    }

    @Test func failingWritesFailReadinessUntilTheStoreTakesWritesAgain() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("full-\(UUID())/relay.sqlite").path
        let store = FlakyStore(try SQLiteDeliveryStore(path: path))
        try await RelayHarness.run(Self.env, policy: Self.fast, store: store) { relay in
            #expect(try await relay.get(relay.managementURL + "/readyz").status == 200)
            store.writesFailing.store(true, ordering: .relaxed)
            let refused = try await relay.postSigned("csat", body: Self.rating("conv_full", "good"))
            #expect(refused.status == 503)
            let notReady = try await relay.get(relay.managementURL + "/readyz")
            #expect(notReady.status == 503 && notReady.json["status"] as? String == "store_unwritable", "\(notReady.body)")
            #expect((notReady.json["reason"] as? String)?.contains("disk is full") == true)

            // No webhook comes while not ready (a load balancer stops sending): readiness returns by itself.
            store.writesFailing.store(false, ordering: .relaxed)
            #expect(try await relay.get(relay.managementURL + "/readyz").status == 200)
            #expect(try await relay.postSigned("csat", body: Self.rating("conv_full", "good")).status == 202)
        }
    }

    @Test func aResultThatCannotBeWrittenIsKeptNotSentAgain() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("unrecorded-\(UUID())/relay.sqlite").path
        let store = FlakyStore(try SQLiteDeliveryStore(path: path))
        // A lease of 1 s + 5 s; the clock is moved past it while the result cannot be written.
        try await RelayHarness.run(Self.env, policy: Self.fast, store: store) { relay in
            relay.fake.behave(.delay(.milliseconds(300)))
            let reply = try await relay.postSigned("csat", body: Self.rating("conv_kept", "good"))
            #expect(reply.status == 202)
            #expect(await relay.fake.waitUntil { $0.count == 1 })
            store.writesFailing.store(true, ordering: .relaxed)
            relay.fake.behave(.normal)
            try await Task.sleep(for: .milliseconds(600))
            relay.clock.set(Date().addingTimeInterval(60))
            try await Task.sleep(for: .seconds(2))
            #expect(relay.fake.recorded.count == 1, "the call was made again after its result could not be written")

            store.writesFailing.store(false, ordering: .relaxed)
            let id = try #require(reply.json["id"] as? String)
            #expect(await waitForState(relay, id: id, "delivered"))
            #expect(relay.fake.recorded.count == 1)
        }
    }

    func waitForState(_ relay: RelayHarness, id: String, _ state: String) async -> Bool {
        for _ in 0..<200 {
            if let reply = try? await admin(relay, .get, "/admin/deliveries/\(id)"), reply.json["state"] as? String == state { return true }
            try? await Task.sleep(for: .milliseconds(25))
        }
        return false
    }
}

/// A store that fails on demand, as a full disk or an unreachable database would.
final class FlakyStore: DeliveryStore {
    let base: any DeliveryStore
    let failing = Atomic(false)
    /// Writes fail while reads work, as on a full disk.
    let writesFailing = Atomic(false)

    init(_ base: any DeliveryStore) {
        self.base = base
    }

    private func check() throws(StoreError) {
        if failing.load(ordering: .relaxed) { throw StoreError("disk I/O error (simulated)") }
    }

    private func checkWrite() throws(StoreError) {
        try check()
        if writesFailing.load(ordering: .relaxed) { throw StoreError("database or disk is full (simulated)") }
    }

    func accept(_ delivery: NewDelivery, now: Date, dedupWindow: Duration) async throws(StoreError) -> AcceptResult {
        try checkWrite()
        return try await base.accept(delivery, now: now, dedupWindow: dedupWindow)
    }
    func claimDue(now: Date, limit: Int, leaseUntil: Date) async throws(StoreError) -> [Delivery] {
        try checkWrite()
        return try await base.claimDue(now: now, limit: limit, leaseUntil: leaseUntil)
    }
    func record(_ id: Int64, _ result: AttemptResult, now: Date) async throws(StoreError) {
        try checkWrite()
        try await base.record(id, result, now: now)
    }
    func delivery(_ id: Int64) async throws(StoreError) -> Delivery? { try await base.delivery(id) }
    func list(state: DeliveryState?, limit: Int, cursor: String?) async throws(StoreError) -> DeliveryPage {
        try await base.list(state: state, limit: limit, cursor: cursor)
    }
    func retry(_ id: Int64, now: Date) async throws(StoreError) -> RetryResult { try await base.retry(id, now: now) }
    func retryAllDead(now: Date) async throws(StoreError) -> Int { try await base.retryAllDead(now: now) }
    func nextDue() async throws(StoreError) -> Date? { try await base.nextDue() }
    func count(state: DeliveryState) async throws(StoreError) -> Int { try await base.count(state: state) }
    func statistics(now: Date) async throws(StoreError) -> QueueStatistics { try await base.statistics(now: now) }
    func sweep(finishedBefore before: Date, now: Date) async throws(StoreError) -> SweepResult {
        try await base.sweep(finishedBefore: before, now: now)
    }
    func ping() async throws(StoreError) {
        try check()
        try await base.ping()
    }
    func checkWritable() async throws(StoreError) {
        try checkWrite()
        try await base.checkWritable()
    }
}

enum HTTPMethodName {
    case get, post

    var nio: NIOHTTP1.HTTPMethod { self == .get ? .GET : .POST }
}
