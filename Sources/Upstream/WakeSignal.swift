import NIOConcurrencyHelpers

/// Wakes a waiting loop; a signal sent while nobody waits is kept for the next wait.
package final class WakeSignal: Sendable {
    private let state = NIOLockedValueBox<(signaled: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    package func signal() {
        let waiter = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.signaled = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns on a signal, after `duration`, or when the task is cancelled.
    package func wait(for duration: Duration) async {
        let timer = Task {
            // A cancelled timer must not signal: the signal would be kept and end the next wait at once,
            // and a waiting loop would spin.
            guard (try? await Task.sleep(for: duration)) != nil else { return }
            self.signal()
        }
        await withTaskCancellationHandler {
            await wait()
        } onCancel: {
            self.signal()
        }
        timer.cancel()
    }

    private func wait() async {
        await withCheckedContinuation { continuation in
            let ready = state.withLockedValue { state in
                if state.signaled {
                    state.signaled = false
                    return true
                }
                state.waiter = continuation
                return false
            }
            if ready { continuation.resume() }
        }
    }
}
