import Foundation
import RelayModel

/// Durable deliveries. Every implementation passes the same contract tests (StoreContractTests).
public protocol DeliveryStore: Sendable {
    /// Commits each event durably before returning (concurrent calls may share one commit), deduplicated
    /// by route and key within `dedupWindow`, superseding older pending events of the same conversation.
    func accept(_ deliveries: NewDelivery, now: Date, dedupWindow: Duration) async throws(StoreError) -> AcceptResult
    /// `accept` for a caller on an event loop, with no task of its own: `completion` runs once the
    /// commit ended, on the thread it ended on.
    func accept(
        _ delivery: NewDelivery,
        now: Date,
        dedupWindow: Duration,
        completion: @escaping @Sendable (Result<AcceptResult, StoreError>) -> Void
    )
    /// Leases up to `limit` due deliveries until `leaseUntil`, never two of one conversation at once,
    /// and counts the attempt. A lease that runs out (the process died) makes the delivery due again.
    func claimDue(now: Date, limit: Int, leaseUntil: Date) async throws(StoreError) -> [Delivery]
    /// Ends an attempt and releases the lease.
    func record(_ id: Int64, _ result: AttemptResult, now: Date) async throws(StoreError)
    /// `record` for a caller on another thread, with no task of its own: `completion` runs once the
    /// commit ended, on the thread it ended on.
    func record(_ id: Int64, _ result: AttemptResult, now: Date, completion: @escaping @Sendable (Result<Void, StoreError>) -> Void)
    func delivery(_ id: Int64) async throws(StoreError) -> Delivery?
    func list(state: DeliveryState?, limit: Int, cursor: String?) async throws(StoreError) -> DeliveryPage
    func retry(_ id: Int64, now: Date) async throws(StoreError) -> RetryResult
    func retryAllDead(now: Date) async throws(StoreError) -> Int
    /// The earliest time a pending delivery falls due, for the worker's sleep.
    func nextDue() async throws(StoreError) -> Date?
    func count(state: DeliveryState) async throws(StoreError) -> Int
    /// How much work is waiting, for `/metrics`.
    func statistics(now: Date) async throws(StoreError) -> QueueStatistics
    /// Deletes finished deliveries finished before `before`, and expired dedup keys.
    func sweep(finishedBefore before: Date, now: Date) async throws(StoreError) -> SweepResult
    /// Succeeds when the store can be read (readiness).
    func ping() async throws(StoreError)
    /// Succeeds when the store can commit a write (readiness after a failed write).
    func checkWritable() async throws(StoreError)
    /// Lets go of connections; the last thing a relay does on its way out.
    func close() async
}

extension DeliveryStore {
    public func accept(
        _ delivery: NewDelivery,
        now: Date,
        dedupWindow: Duration,
        completion: @escaping @Sendable (Result<AcceptResult, StoreError>) -> Void
    ) {
        Task {
            do throws(StoreError) {
                completion(.success(try await accept(delivery, now: now, dedupWindow: dedupWindow)))
            } catch {
                completion(.failure(error))
            }
        }
    }

    public func record(_ id: Int64, _ result: AttemptResult, now: Date, completion: @escaping @Sendable (Result<Void, StoreError>) -> Void) {
        Task {
            do throws(StoreError) {
                completion(.success(try await record(id, result, now: now)))
            } catch {
                completion(.failure(error))
            }
        }
    }

    public func close() async {}
}
