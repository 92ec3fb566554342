import NIOConcurrencyHelpers

struct DeadlinePassed: Error, CustomStringConvertible {
    let limit: Duration
    var description: String { "no answer within \(limit)" }
}

/// Runs `work`, or throws `DeadlinePassed` once `limit` has passed, whichever comes first.
///
/// A task group would not do: it waits for every child, and work that ignores its cancellation (a
/// PostgreSQL query on a connection whose server went away, with no reset to tell it) would then
/// hold the caller, and the webhook it answers, for good. Here the late work is cancelled and left
/// to end on its own; the caller has its answer at the deadline.
func withDeadline<T: Sendable>(_ limit: Duration, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
    let answer = NIOLockedValueBox<CheckedContinuation<T, any Error>?>(nil)
    @Sendable func finish(_ result: Result<T, any Error>) -> Bool {
        guard
            let continuation = answer.withLockedValue({ box in
                defer { box = nil }
                return box
            })
        else { return false }
        continuation.resume(with: result)
        return true
    }
    let worker = NIOLockedValueBox<Task<Void, Never>?>(nil)
    return try await withCheckedThrowingContinuation { continuation in
        answer.withLockedValue { $0 = continuation }
        let timer = Task {
            guard (try? await Task.sleep(for: limit)) != nil else { return }
            if finish(.failure(DeadlinePassed(limit: limit))) { worker.withLockedValue { $0 }?.cancel() }
        }
        worker.withLockedValue {
            $0 = Task {
                do { _ = finish(.success(try await work())) } catch { _ = finish(.failure(error)) }
                timer.cancel()
            }
        }
    }
}
