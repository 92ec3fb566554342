import Foundation
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

/// The `DeliveryStore` contract, written against the protocol; every implementation runs it.
@Suite struct StoreContractTests {
    static let t0 = Date(timeIntervalSince1970: 1_768_000_000)
    static let window = Duration.seconds(3600)

    /// The stores under test: each call makes a fresh, empty one.
    static let stores: [String] = ["sqlite", "postgres"]

    static func make(_ kind: String) async throws -> any DeliveryStore {
        switch kind {
        case "postgres":
            return try await TestPostgres.freshStore()
        default:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("contract-\(UUID())/relay.sqlite").path
            return try SQLiteDeliveryStore(path: path)
        }
    }

    static func event(
        _ conversation: String = "conv_a",
        _ feedback: Feedback = .like,
        key: String = UUID().uuidString,
        at time: Date? = nil,
        route: String = "r"
    ) -> NewDelivery {
        NewDelivery(
            event: FeedbackEvent(route: route, conversationID: conversation, feedback: feedback, eventID: nil, eventTime: time),
            dedupKey: key,
            receivedAt: t0
        )
    }

    static func event(_ feedback: Feedback, at time: Date) -> NewDelivery {
        event("conv_a", feedback, at: time)
    }

    func accepted(_ result: AcceptResult) -> Int64? {
        if case .accepted(let id) = result { return id }
        return nil
    }

    @Test(arguments: stores) func keepsTheWebhooksTraceContextForItsDelivery(_ kind: String) async throws {
        let store = try await Self.make(kind)
        var traced = Self.event("conv_traced")
        traced.traceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        _ = try await store.accept(traced, now: Self.t0, dedupWindow: Self.window)
        _ = try await store.accept(Self.event("conv_untraced"), now: Self.t0, dedupWindow: Self.window)
        let claimed = try await store.claimDue(now: Self.t0, limit: 10, leaseUntil: Self.t0.addingTimeInterval(60))
        #expect(claimed.first { $0.conversationID == "conv_traced" }?.traceParent == traced.traceParent)
        #expect(claimed.contains { $0.conversationID == "conv_untraced" && $0.traceParent == nil })
    }

    @Test(arguments: stores) func acceptsAndDeduplicatesWithinTheWindow(_ kind: String) async throws {
        let store = try await Self.make(kind)
        let first = try await store.accept(Self.event(key: "k1"), now: Self.t0, dedupWindow: Self.window)
        let id = try #require(accepted(first))
        #expect(try await store.accept(Self.event(key: "k1"), now: Self.t0.addingTimeInterval(3599), dedupWindow: Self.window) == .duplicate(id: id))
        #expect(try await store.accept(Self.event(key: "k1", route: "other"), now: Self.t0, dedupWindow: Self.window) != .duplicate(id: id))
        let later = try await store.accept(Self.event(key: "k1"), now: Self.t0.addingTimeInterval(3601), dedupWindow: Self.window)
        #expect(accepted(later) != nil && accepted(later) != id)
        let stored = try #require(try await store.delivery(id))
        #expect(stored.route == "r" && stored.conversationID == "conv_a" && stored.feedback == .like && stored.attempts == 0)
    }

    /// The webhook handler's way in, from its event loop: many submitted at once share commits, and each
    /// completion gets its own event's answer, duplicates included.
    @Test(arguments: stores) func acceptWithACompletionCommitsAndAnswersEach(_ kind: String) async throws {
        let store = try await Self.make(kind)
        let keys = (0..<40).map { "key-\($0 % 30)" }  // the last ten repeat the first ten
        let answers = await withTaskGroup(of: (String, Result<AcceptResult, StoreError>).self) { group in
            for (index, key) in keys.enumerated() {
                group.addTask {
                    await withCheckedContinuation { continuation in
                        store.accept(Self.event("conv_\(index)", key: key), now: Self.t0, dedupWindow: Self.window) {
                            continuation.resume(returning: (key, $0))
                        }
                    }
                }
            }
            return await group.reduce(into: [(String, Result<AcceptResult, StoreError>)]()) { $0.append($1) }
        }
        var idsByKey: [String: Set<Int64>] = [:]
        var acceptedCount = 0
        for (key, answer) in answers {
            let result = try answer.get()
            switch result {
            case .accepted(let id):
                acceptedCount += 1
                idsByKey[key, default: []].insert(id)
            case .duplicate(let id):
                idsByKey[key, default: []].insert(id)
            }
        }
        #expect(acceptedCount == 30)
        #expect(idsByKey.count == 30 && idsByKey.values.allSatisfy { $0.count == 1 })
        for ids in idsByKey.values {
            #expect(try await store.delivery(ids.first!) != nil)
        }
    }

    @Test(arguments: stores) func concurrentCopiesGiveExactlyOneAccepted(_ kind: String) async throws {
        let store = try await Self.make(kind)
        let results = try await withThrowingTaskGroup(of: AcceptResult.self) { group in
            for _ in 0..<50 { group.addTask { try await store.accept(Self.event(key: "same"), now: Self.t0, dedupWindow: Self.window) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let ids = Set(results.compactMap(accepted))
        #expect(ids.count == 1)
        #expect(results.filter { if case .duplicate = $0 { true } else { false } }.count == 49)
        #expect(try await store.count(state: .pending) == 1)
    }

    @Test(arguments: stores) func newestEventWinsPerConversation(_ kind: String) async throws {
        let store = try await Self.make(kind)
        let older = try #require(accepted(try await store.accept(Self.event(.like, at: Self.t0), now: Self.t0, dedupWindow: Self.window)))
        let newer = try #require(
            accepted(try await store.accept(Self.event(.dislike, at: Self.t0.addingTimeInterval(5)), now: Self.t0, dedupWindow: Self.window))
        )
        #expect(try await store.delivery(older)?.state == .superseded)
        #expect(try await store.delivery(newer)?.state == .pending)
        // An event older than one already pending is recorded, and never sent.
        let late = try #require(
            accepted(try await store.accept(Self.event(.like, at: Self.t0.addingTimeInterval(1)), now: Self.t0, dedupWindow: Self.window))
        )
        #expect(try await store.delivery(late)?.state == .superseded)
        let claimed = try await store.claimDue(now: Self.t0, limit: 10, leaseUntil: Self.t0.addingTimeInterval(60))
        #expect(claimed.map(\.id) == [newer])
        try await store.record(newer, .delivered(status: 200), now: Self.t0)
        // Also after the newer one was delivered.
        let afterDelivery = try #require(
            accepted(try await store.accept(Self.event(.like, at: Self.t0.addingTimeInterval(2)), now: Self.t0, dedupWindow: Self.window))
        )
        #expect(try await store.delivery(afterDelivery)?.state == .superseded)
        #expect(try await store.claimDue(now: Self.t0, limit: 10, leaseUntil: Self.t0.addingTimeInterval(60)).isEmpty)
    }

    @Test(arguments: stores) func claimsLeaseAndReleaseDeliveries(_ kind: String) async throws {
        let store = try await Self.make(kind)
        let a = try #require(accepted(try await store.accept(Self.event("conv_a"), now: Self.t0, dedupWindow: Self.window)))
        let b = try #require(accepted(try await store.accept(Self.event("conv_b"), now: Self.t0, dedupWindow: Self.window)))
        let first = try await store.claimDue(now: Self.t0, limit: 1, leaseUntil: Self.t0.addingTimeInterval(30))
        #expect(first.map(\.id) == [a] && first[0].attempts == 1)
        // Leased work is not claimed twice.
        #expect(try await store.claimDue(now: Self.t0, limit: 10, leaseUntil: Self.t0.addingTimeInterval(30)).map(\.id) == [b])
        #expect(try await store.claimDue(now: Self.t0.addingTimeInterval(1), limit: 10, leaseUntil: Self.t0.addingTimeInterval(30)).isEmpty)
        // A lease that runs out (the sender died) makes the delivery due again.
        let again = try await store.claimDue(now: Self.t0.addingTimeInterval(31), limit: 10, leaseUntil: Self.t0.addingTimeInterval(90))
        #expect(Set(again.map(\.id)) == [a, b] && again.allSatisfy { $0.attempts == 2 })

        try await store.record(a, .retry(at: Self.t0.addingTimeInterval(100), status: 503, error: "busy"), now: Self.t0.addingTimeInterval(31))
        #expect(try await store.nextDue() == Self.t0.addingTimeInterval(90))
        try await store.record(b, .dead(status: 422, error: #"{"detail":[]}"#), now: Self.t0.addingTimeInterval(31))
        #expect(try await store.nextDue() == Self.t0.addingTimeInterval(100))
        #expect(try await store.claimDue(now: Self.t0.addingTimeInterval(99), limit: 10, leaseUntil: Self.t0.addingTimeInterval(200)).isEmpty)
        let due = try await store.claimDue(now: Self.t0.addingTimeInterval(100), limit: 10, leaseUntil: Self.t0.addingTimeInterval(200))
        #expect(due.map(\.id) == [a] && due[0].lastStatus == 503 && due[0].lastError == "busy")
        let dead = try #require(try await store.delivery(b))
        #expect(dead.state == .dead && dead.lastStatus == 422 && dead.lastError == #"{"detail":[]}"#)
    }

    /// `record` with a completion, as the worker calls it: results submitted at once are each written
    /// before their completion runs, whatever the batch they share.
    @Test(arguments: stores) func recordWithACompletionWritesEachResultFirst(_ kind: String) async throws {
        let store = try await Self.make(kind)
        var ids: [Int64] = []
        for index in 0..<20 {
            ids.append(try #require(accepted(try await store.accept(Self.event("conv_r\(index)"), now: Self.t0, dedupWindow: Self.window))))
        }
        let claimed = try await store.claimDue(now: Self.t0, limit: 20, leaseUntil: Self.t0.addingTimeInterval(60))
        #expect(Set(claimed.map(\.id)) == Set(ids))
        let written = await withTaskGroup(of: Result<Void, StoreError>.self) { group in
            for (index, id) in ids.enumerated() {
                let result: AttemptResult =
                    index.isMultiple(of: 2) ? .delivered(status: 200) : .retry(at: Self.t0.addingTimeInterval(300), status: 503, error: "busy")
                group.addTask {
                    await withCheckedContinuation { continuation in
                        store.record(id, result, now: Self.t0) { continuation.resume(returning: $0) }
                    }
                }
            }
            return await group.reduce(into: [Result<Void, StoreError>]()) { $0.append($1) }
        }
        #expect(written.count == 20)
        for outcome in written { try outcome.get() }
        for (index, id) in ids.enumerated() {
            let delivery = try #require(try await store.delivery(id))
            #expect(delivery.state == (index.isMultiple(of: 2) ? .delivered : .pending), "\(id)")
            #expect(delivery.lastStatus == (index.isMultiple(of: 2) ? 200 : 503))
        }
    }

    @Test(arguments: stores) func neverSendsTwoEventsOfOneConversationAtOnce(_ kind: String) async throws {
        let store = try await Self.make(kind)
        let older = try #require(accepted(try await store.accept(Self.event(.like, at: Self.t0), now: Self.t0, dedupWindow: Self.window)))
        #expect(try await store.claimDue(now: Self.t0, limit: 10, leaseUntil: Self.t0.addingTimeInterval(30)).map(\.id) == [older])
        // The newer one arrives while the older is in flight: it waits until the older's attempt ends.
        let newer = try #require(
            accepted(try await store.accept(Self.event(.dislike, at: Self.t0.addingTimeInterval(1)), now: Self.t0, dedupWindow: Self.window))
        )
        #expect(try await store.claimDue(now: Self.t0, limit: 10, leaseUntil: Self.t0.addingTimeInterval(30)).isEmpty)
        try await store.record(older, .delivered(status: 200), now: Self.t0)
        #expect(try await store.claimDue(now: Self.t0, limit: 10, leaseUntil: Self.t0.addingTimeInterval(30)).map(\.id) == [newer])
    }

    @Test(arguments: stores) func retriesDeadDeliveries(_ kind: String) async throws {
        let store = try await Self.make(kind)
        let dead = try #require(accepted(try await store.accept(Self.event("conv_d"), now: Self.t0, dedupWindow: Self.window)))
        let pending = try #require(accepted(try await store.accept(Self.event("conv_p"), now: Self.t0, dedupWindow: Self.window)))
        _ = try await store.claimDue(now: Self.t0, limit: 10, leaseUntil: Self.t0.addingTimeInterval(30))
        try await store.record(dead, .dead(status: 422, error: "no"), now: Self.t0)
        try await store.record(pending, .retry(at: Self.t0.addingTimeInterval(500), status: 503, error: "busy"), now: Self.t0)

        #expect(try await store.retry(999_999, now: Self.t0) == .notFound)
        #expect(try await store.retry(pending, now: Self.t0) == .notDead(.pending))
        let later = Self.t0.addingTimeInterval(60)
        guard case .retried(let revived) = try await store.retry(dead, now: later) else {
            Issue.record("expected a retry")
            return
        }
        #expect(revived.state == .pending && revived.nextAttemptAt == later)
        // The audit trail keeps when the event came; the retry is recorded beside it.
        #expect(revived.receivedAt == Self.t0 && revived.retriedAt == later)
        #expect(try await store.claimDue(now: later, limit: 10, leaseUntil: later.addingTimeInterval(30)).map(\.id) == [dead])

        try await store.record(dead, .dead(status: 422, error: "still no"), now: later)
        #expect(try await store.retryAllDead(now: later) == 1)
        #expect(try await store.count(state: .dead) == 0)
        #expect(try await store.delivery(dead)?.receivedAt == Self.t0)
    }

    @Test(arguments: stores) func aWriteCheckCommits(_ kind: String) async throws {
        let store = try await Self.make(kind)
        try await store.checkWritable()
        try await store.checkWritable()
    }

    @Test(arguments: stores) func aDeadEventWithANewerOneIsNotRevived(_ kind: String) async throws {
        let store = try await Self.make(kind)
        let old = try #require(accepted(try await store.accept(Self.event(.like, at: Self.t0), now: Self.t0, dedupWindow: Self.window)))
        _ = try await store.claimDue(now: Self.t0, limit: 10, leaseUntil: Self.t0.addingTimeInterval(30))
        try await store.record(old, .dead(status: 422, error: "no"), now: Self.t0)
        _ = try await store.accept(Self.event(.dislike, at: Self.t0.addingTimeInterval(9)), now: Self.t0, dedupWindow: Self.window)
        #expect(try await store.retry(old, now: Self.t0) == .superseded)
        #expect(try await store.delivery(old)?.state == .superseded)
    }

    @Test(arguments: stores) func listsByStateWithPaging(_ kind: String) async throws {
        let store = try await Self.make(kind)
        var ids: [Int64] = []
        for index in 0..<5 {
            ids.append(try #require(accepted(try await store.accept(Self.event("conv_\(index)"), now: Self.t0, dedupWindow: Self.window))))
        }
        let page1 = try await store.list(state: .pending, limit: 2, cursor: nil)
        #expect(page1.deliveries.map(\.id) == [ids[4], ids[3]])
        let page2 = try await store.list(state: .pending, limit: 2, cursor: page1.nextCursor)
        #expect(page2.deliveries.map(\.id) == [ids[2], ids[1]])
        let page3 = try await store.list(state: .pending, limit: 2, cursor: page2.nextCursor)
        #expect(page3.deliveries.map(\.id) == [ids[0]] && page3.nextCursor == nil)
        #expect(try await store.list(state: .dead, limit: 10, cursor: nil).deliveries.isEmpty)
        #expect(try await store.list(state: nil, limit: 10, cursor: nil).deliveries.count == 5)
    }

    @Test(arguments: stores) func sweepsFinishedDeliveriesAndExpiredKeys(_ kind: String) async throws {
        let store = try await Self.make(kind)
        let done = try #require(accepted(try await store.accept(Self.event("conv_1", key: "a"), now: Self.t0, dedupWindow: Self.window)))
        let dead = try #require(accepted(try await store.accept(Self.event("conv_2", key: "b"), now: Self.t0, dedupWindow: Self.window)))
        let waiting = try #require(accepted(try await store.accept(Self.event("conv_3", key: "c"), now: Self.t0, dedupWindow: Self.window)))
        _ = try await store.claimDue(now: Self.t0, limit: 2, leaseUntil: Self.t0.addingTimeInterval(30))
        try await store.record(done, .delivered(status: 200), now: Self.t0)
        try await store.record(dead, .dead(status: 400, error: "bad"), now: Self.t0)
        let later = Self.t0.addingTimeInterval(7200)
        let swept = try await store.sweep(finishedBefore: later.addingTimeInterval(-3600), now: later)
        #expect(swept == SweepResult(deliveries: 1, dedupKeys: 3))
        #expect(try await store.delivery(done) == nil)
        #expect(try await store.delivery(dead)?.state == .dead)
        #expect(try await store.delivery(waiting)?.state == .pending)
    }
}
