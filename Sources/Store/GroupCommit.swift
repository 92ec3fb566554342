import NIOConcurrencyHelpers

/// Batches concurrent submissions into one commit: while a batch is being written, new items queue,
/// and the next batch takes them all. Durability then costs one fsync per batch, not per request.
package final class GroupCommit<Item: Sendable, Output: Sendable>: Sendable {
    package typealias Commit = @Sendable ([Item]) async throws(StoreError) -> [Output]
    package typealias Completion = @Sendable (Result<Output, StoreError>) -> Void

    private struct Waiting: Sendable {
        let item: Item
        let completion: Completion
    }

    private let state = NIOLockedValueBox<(queue: [Waiting], draining: Bool)>(([], false))

    /// Submissions queued for the next batch (tests wait on it instead of on the clock).
    package var waiting: Int {
        state.withLockedValue { $0.queue.count }
    }

    package func submit(_ item: Item, commit: @escaping Commit) async throws(StoreError) -> Output {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Output, StoreError>, Never>) in
            submit(item, commit: commit) { continuation.resume(returning: $0) }
        }
        return try result.get()
    }

    /// For a caller on an event loop: no task of its own, and `completion` runs on the thread the
    /// batch's commit ended on.
    package func submit(_ item: Item, commit: @escaping Commit, completion: @escaping Completion) {
        let startDrain = state.withLockedValue { state in
            state.queue.append(Waiting(item: item, completion: completion))
            if state.draining { return false }
            state.draining = true
            return true
        }
        if startDrain { Task { await self.drain(commit) } }
    }

    private func drain(_ commit: Commit) async {
        while true {
            let batch = state.withLockedValue { state in
                let batch = state.queue
                state.queue.removeAll()
                if batch.isEmpty { state.draining = false }
                return batch
            }
            if batch.isEmpty { return }
            do throws(StoreError) {
                let outputs = try await commit(batch.map(\.item))
                for (waiting, output) in zip(batch, outputs) { waiting.completion(.success(output)) }
            } catch {
                for waiting in batch { waiting.completion(.failure(error)) }
            }
        }
    }
}
