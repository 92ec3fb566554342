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

/// The worker's sleep: woken by a signal, a timeout or cancellation, and never left with a stale signal
/// (one kept from a cancelled timer made an idle relay spin).
@Suite struct WakeSignalTests {
    @Test func aSignalSentBeforeTheWaitEndsItAtOnce() async {
        let signal = WakeSignal()
        signal.signal()
        let started = ContinuousClock.now
        await signal.wait(for: .seconds(60))
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test func aWaitEndedBySignalLeavesNoSignalBehind() async throws {
        let signal = WakeSignal()
        let waiter = Task { await signal.wait(for: .seconds(60)) }
        try await Task.sleep(for: .milliseconds(50))
        signal.signal()
        await waiter.value
        // Give the cancelled timer of that wait time to run: it must not signal.
        try await Task.sleep(for: .milliseconds(100))
        let started = ContinuousClock.now
        await signal.wait(for: .milliseconds(300))
        #expect(ContinuousClock.now - started >= .milliseconds(250), "the next wait ended at once: a stale signal")
    }

    @Test func cancellationEndsAWait() async {
        let signal = WakeSignal()
        let started = ContinuousClock.now
        let waiter = Task { await signal.wait(for: .seconds(60)) }
        waiter.cancel()
        await waiter.value
        #expect(ContinuousClock.now - started < .seconds(30))
    }
}
