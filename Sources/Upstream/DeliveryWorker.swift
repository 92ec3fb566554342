import Foundation
import Logging
import NIOConcurrencyHelpers
import Observability
import RelayModel
import ServiceLifecycle
import Store
import Synchronization
import Tracing

/// Sends what the store holds: claims due deliveries, at most `concurrency` in flight, and records
/// each outcome through the `RetryPolicy`. On graceful shutdown it claims nothing more, lets the
/// calls in flight finish (each bounded by the upstream timeout) and leaves the rest in the store.
public final class DeliveryWorker: Service, Sendable {
    package let store: any DeliveryStore
    package let upstream: UpstreamCall
    /// Where each route's feedback goes, by route name.
    package let targets: [String: UpstreamTarget]
    package let policy: RetryPolicy
    package let concurrency: Int
    package let metrics: RelayMetrics
    package let tracer: RelayTracer
    /// How long a claimed delivery stays leased: the upstream timeout plus a margin. If the process
    /// dies mid-send, the delivery falls due again when the lease runs out.
    package let lease: Duration
    package let now: @Sendable () -> Date
    package let logger: Logger
    private let signal = WakeSignal()
    package static let claimInterval = Duration.milliseconds(2)
    private let inFlight = Atomic(0)
    /// Attempts started whose result is not yet written, and shutdown's wait for them to end.
    private let unfinished = NIOLockedValueBox<(count: Int, drained: CheckedContinuation<Void, Never>?)>((0, nil))
    /// Attempt results the store could not take (disk full, unreachable): kept here and written before
    /// anything new is claimed, so a call that was made is never made again because its result was lost.
    private let unrecorded = NIOLockedValueBox<[(id: Int64, result: AttemptResult, at: Date)]>([])
    package let health: StoreHealth

    public init(
        store: any DeliveryStore,
        upstream: UpstreamCall,
        targets: [String: UpstreamTarget],
        policy: RetryPolicy,
        concurrency: Int,
        upstreamTimeout: Duration,
        metrics: RelayMetrics,
        tracer: RelayTracer = .off,
        health: StoreHealth = StoreHealth(),
        now: @escaping @Sendable () -> Date = Date.init,
        logger: Logger
    ) {
        self.health = health
        self.store = store
        self.upstream = upstream
        self.targets = targets
        self.policy = policy
        self.concurrency = concurrency
        self.metrics = metrics
        self.tracer = tracer
        self.lease = upstreamTimeout + .seconds(5)
        self.now = now
        self.logger = logger
    }

    /// A new delivery was accepted: look for due work now rather than at the next poll.
    public func wake() {
        signal.signal()
    }

    public func run() async throws {
        let stopping = Atomic(false)
        await withGracefulShutdownHandler {
            // Claimed and leased but not started: a freed slot starts the next one at once, without
            // a round trip to the store. Left unstarted at shutdown, they fall due when their lease ends.
            var ready: [Delivery] = []
            /// Starts claimed work in the free slots; the slots still free. An attempt is no task: it runs
            /// on the threads its call and its write end on (README, Performance, "Queue mode with its batches").
            func startReady() -> Int {
                var room = concurrency - inFlight.load(ordering: .relaxed)
                while room > 0, !ready.isEmpty {
                    let delivery = ready.removeFirst()
                    room -= 1
                    inFlight.add(1, ordering: .relaxed)
                    unfinished.withLockedValue { $0.count += 1 }
                    attempt(delivery) {
                        // The upstream call is over: its slot is free while the outcome is written.
                        self.inFlight.subtract(1, ordering: .relaxed)
                        self.signal.signal()
                    } recorded: {
                        self.attemptEnded()
                    }
                }
                return room
            }
            while !stopping.load(ordering: .relaxed) && !Task.isCancelled {
                guard await recordKeptResults() else {
                    await signal.wait(for: .seconds(1))
                    continue
                }
                // Work in hand goes out before the claim: a claim takes a round trip, and the slots
                // freed meanwhile would otherwise wait for it.
                var room = startReady()
                // Claim in batches, a write transaction each, keeping up to one round of work ready.
                let wanted = concurrency + max(room, 0) - ready.count
                var claimedAll = false
                if ready.count < room || ready.count < concurrency / 2, wanted > 0 {
                    do throws(StoreError) {
                        let start = now()
                        let claimed = try await store.claimDue(now: start, limit: wanted, leaseUntil: start.addingTimeInterval(lease.seconds))
                        ready += claimed
                        claimedAll = claimed.count == wanted
                    } catch {
                        health.writeFailed(error)
                        logger.error("cannot claim deliveries: \(error)")
                    }
                }
                room = startReady()
                if claimedAll && room > 0 { continue }
                await signal.wait(for: ready.isEmpty ? await pause() : .seconds(1))
                // Under load, wakes come with every accept and every finished call. With work in hand,
                // start it; with none, wait a moment so that one claim takes many, and the writer stays
                // free for accepts.
                if ready.isEmpty { try? await Task.sleep(for: Self.claimInterval) }
            }
            // The calls in flight finish (each bounded by the upstream timeout) and their results are written.
            await allAttemptsEnded()
        } onGracefulShutdown: {
            stopping.store(true, ordering: .relaxed)
            self.signal.signal()
        }
    }

    private func attemptEnded() {
        let drained = unfinished.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            state.count -= 1
            guard state.count == 0, let drained = state.drained else { return nil }
            state.drained = nil
            return drained
        }
        drained?.resume()
    }

    private func allAttemptsEnded() async {
        await withCheckedContinuation { continuation in
            let done = unfinished.withLockedValue { state in
                if state.count == 0 { return true }
                state.drained = continuation
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// Until the next delivery falls due, at most a second (another replica may have added work).
    private func pause() async -> Duration {
        guard let due = try? await store.nextDue() else { return .seconds(1) }
        let wait = due.timeIntervalSince(now())
        return .milliseconds(Int64(max(0.001, min(1, wait)) * 1000))
    }

    /// Sends one claimed delivery and writes what became of it. `sent` runs once the upstream call is
    /// over, `recorded` once its result is written (or kept, when the store refuses it); both on the
    /// threads those ended on.
    package func attempt(_ delivery: Delivery, sent: @escaping @Sendable () -> Void, recorded: @escaping @Sendable () -> Void) {
        let span = tracer.attempt(traceParent: delivery.traceParent)
        guard let target = targets[delivery.route] else {
            let result = AttemptResult.dead(status: nil, error: "route \(delivery.route) is no longer configured")
            return conclude(delivery, result, call: nil, span: span, sent: sent, recorded: recorded)
        }
        upstream.send(conversationID: delivery.conversationID, feedback: delivery.feedback, route: delivery.route, to: target) { answered in
            let receivedAt = delivery.retriedAt ?? delivery.receivedAt
            let result = self.policy.decide(answered.result, attempts: delivery.attempts, receivedAt: receivedAt, now: self.now())
            self.conclude(delivery, result, call: answered, span: span, sent: sent, recorded: recorded)
        }
    }

    private func conclude(
        _ delivery: Delivery,
        _ result: AttemptResult,
        call: (result: UpstreamResult, duration: Duration)?,
        span: (any Span)?,
        sent: () -> Void,
        recorded: @escaping @Sendable () -> Void
    ) {
        if let span {
            span.updateAttributes { attributes in
                attributes["feedback_relay.route"] = delivery.route
                attributes["feedback_relay.delivery_id"] = delivery.id
                attributes["feedback_relay.attempt"] = delivery.attempts
                attributes["feedback_relay.outcome"] = result.label
            }
            if let call {
                span.end(with: call.result)
            } else {
                span.setStatus(SpanStatus(code: .error))
                span.end()
            }
        }
        sent()
        metrics.deliveryEnded(route: delivery.route, result: result)
        logAttempt(delivery, result, elapsed: call?.duration)
        let at = now()
        // A successful update says nothing about room for new events (a full disk can still take it), so
        // it does not clear a failure: `/readyz` probes with a real write, and accepts clear it.
        store.record(delivery.id, result, now: at) { written in
            if case .failure(let error) = written {
                self.health.writeFailed(error)
                self.unrecorded.withLockedValue { $0.append((delivery.id, result, at)) }
                self.logger.error(
                    "cannot record the attempt; its result is kept and written when the store takes writes again: \(error)",
                    metadata: ["delivery_id": .stringConvertible(delivery.id)]
                )
            }
            recorded()
        }
    }

    /// Writes the results kept after failed writes; false while the store still refuses them.
    private func recordKeptResults() async -> Bool {
        let kept = unrecorded.withLockedValue { kept in
            defer { kept.removeAll() }
            return kept
        }
        for (index, entry) in kept.enumerated() {
            do throws(StoreError) {
                try await store.record(entry.id, entry.result, now: entry.at)
            } catch {
                health.writeFailed(error)
                unrecorded.withLockedValue { $0.insert(contentsOf: kept[index...], at: 0) }
                return false
            }
        }
        if !kept.isEmpty {
            logger.info("recorded \(kept.count) attempt results kept while the store refused writes")
        }
        return true
    }

    /// One line per attempt: delivered at info, a retry at warning, a dead event at error.
    private func logAttempt(_ delivery: Delivery, _ result: AttemptResult, elapsed: Duration?) {
        let level: Logger.Level
        let message: String
        let status: Int?
        var nextAttempt: Date?
        let outcome = result.label
        switch result {
        case .delivered(let answered):
            (level, message, status) = (.info, "delivered", answered)
        case .retry(let at, let answered, let error):
            (level, message, status) = (.warning, "attempt failed, retrying: \(error.prefix(512))", answered)
            nextAttempt = at
        case .dead(let answered, let error):
            (level, message, status) = (.error, "delivery dead: \(error.prefix(512))", answered)
        }
        guard logger.logLevel <= level else { return }
        var fields = LogFields()
        fields.add("delivery_id", delivery.id)
        fields.add("attempt", delivery.attempts)
        fields.add("route", delivery.route)
        fields.add("conversation_id", delivery.conversationID)
        fields.add("feedback", delivery.feedback.rawValue)
        fields.add("outcome", outcome)
        fields.add("upstream_status", status)
        fields.add("upstream_ms", elapsed?.fractionalMilliseconds)
        fields.add("next_attempt_at", nextAttempt.map(RFC3339.formatMilliseconds))
        logger.log(level: level, "\(message)", metadata: fields.metadata)
    }
}
