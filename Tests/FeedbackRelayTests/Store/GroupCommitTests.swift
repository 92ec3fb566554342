import NIOConcurrencyHelpers
import Testing

@testable import Store

/// One commit for everything that arrived while the previous one was being written; each caller gets its
/// own item's result, or the batch's error.
@Suite struct GroupCommitTests {
    /// A commit that records each batch and, for the first, waits until the test opens the gate.
    final class Committer: Sendable {
        let batches = NIOLockedValueBox<[[Int]]>([])
        let gate = AsyncStream<Void>.makeStream()
        let failing: @Sendable ([Int]) -> Bool

        init(failing: @escaping @Sendable ([Int]) -> Bool = { _ in false }) {
            self.failing = failing
        }

        func commit(_ items: [Int]) async throws(StoreError) -> [Int] {
            let first = batches.withLockedValue { batches in
                batches.append(items)
                return batches.count == 1
            }
            if first {
                for await _ in gate.stream { break }
            }
            if failing(items) { throw StoreError("disk full") }
            return items.map { $0 * 10 }
        }
    }

    static func waitUntil(_ commit: GroupCommit<Int, Int>, holds waiting: Int) async {
        while commit.waiting < waiting { await Task.yield() }
    }

    @Test func submissionsDuringACommitShareTheNextOne() async throws {
        let commit = GroupCommit<Int, Int>()
        let committer = Committer()
        try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            group.addTask { (0, try await commit.submit(0, commit: committer.commit)) }
            while committer.batches.withLockedValue(\.isEmpty) { await Task.yield() }
            for item in 1...9 { group.addTask { (item, try await commit.submit(item, commit: committer.commit)) } }
            await Self.waitUntil(commit, holds: 9)
            committer.gate.continuation.yield()
            var outputs: [Int: Int] = [:]
            for try await (item, output) in group { outputs[item] = output }
            #expect(outputs == Dictionary(uniqueKeysWithValues: (0...9).map { ($0, $0 * 10) }))
        }
        let batches = committer.batches.withLockedValue { $0 }
        #expect(batches.count == 2)
        #expect(batches[0] == [0] && batches[1].sorted() == Array(1...9))
    }

    @Test func aFailedCommitFailsItsBatchOnly() async throws {
        let commit = GroupCommit<Int, Int>()
        let committer = Committer(failing: { $0.contains(1) })
        let results = await withTaskGroup(of: (Int, Result<Int, StoreError>).self) { group in
            group.addTask { (0, await Self.result { () async throws(StoreError) in try await commit.submit(0, commit: committer.commit) }) }
            while committer.batches.withLockedValue(\.isEmpty) { await Task.yield() }
            for item in 1...3 {
                group.addTask { (item, await Self.result { () async throws(StoreError) in try await commit.submit(item, commit: committer.commit) }) }
            }
            await Self.waitUntil(commit, holds: 3)
            committer.gate.continuation.yield()
            return await group.reduce(into: [Int: Result<Int, StoreError>]()) { $0[$1.0] = $1.1 }
        }
        #expect(try results[0]?.get() == 0)
        for item in 1...3 {
            #expect(throws: StoreError.self) { try results[item]?.get() }
        }
        // The next submission starts a new batch and succeeds.
        #expect(try await commit.submit(4, commit: committer.commit) == 40)
    }

    static func result(_ body: () async throws(StoreError) -> Int) async -> Result<Int, StoreError> {
        do throws(StoreError) {
            return .success(try await body())
        } catch {
            return .failure(error)
        }
    }
}
