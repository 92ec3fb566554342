import Foundation

@testable import Settings

/// Senders posting unique signed events to a set of replicas, round robin, until stopped. An event that
/// meets a refused connection or a 503 goes to the next replica after a short pause, as a load balancer
/// and a retrying sender would send it, until one stores it.
actor SteadyLoad {
    /// Events the relays stored: answered 202, or 200 `duplicate` (a retry of one whose 202 was lost).
    private(set) var stored: [Int] = []
    private(set) var unavailable = 0
    private(set) var refused = 0
    /// Answers no relay should give these events (each ends that event's retries); tests expect none.
    private(set) var unexpected: [Int] = []
    private var next = 0
    private var running = true

    private let replicas: [String]
    private let route: Route
    private let prefix: String

    init(replicas: [String], route: Route, prefix: String) {
        self.replicas = replicas
        self.route = route
        self.prefix = prefix
    }

    nonisolated func conversation(_ event: Int) -> String { "conv_\(prefix)_\(event)" }

    /// Runs `senders` senders until `stop()`, then returns once each has stored its last event.
    nonisolated func run(senders: Int) async {
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<senders {
                group.addTask {
                    while let event = await self.take() { await self.send(event) }
                }
            }
        }
    }

    func stop() { running = false }

    /// Waits until `count` more events than now are stored, or `timeout` passes.
    nonisolated func waitForMore(_ count: Int, timeout: Duration = .seconds(60)) async -> Bool {
        let target = await stored.count + count
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await stored.count >= target { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    private func take() -> Int? {
        guard running else { return nil }
        defer { next += 1 }
        return next
    }

    /// Whether the event is done with: stored, or answered what no retry would change.
    private func record(_ event: Int, status: Int?) -> Bool {
        switch status {
        case 202, 200: stored.append(event)
        case 503:
            unavailable += 1
            return false
        case nil:
            refused += 1
            return false
        case let other?: unexpected.append(other)
        }
        return true
    }

    private nonisolated func send(_ event: Int) async {
        let body = #"{"id":"evt-\#(prefix)-\#(event)","conversation_id":"\#(conversation(event))","rating":"good"}"#
        for attempt in 0... {
            let replica = replicas[(event + attempt) % replicas.count]
            let status = try? await CrashSafetyTests.post([body], to: replica, route: route).first
            if await record(event, status: status) { return }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}
