import Foundation
import GRDB
import RelayModel
import Synchronization

/// The embedded store: one SQLite file in WAL mode with `synchronous=FULL`, so a commit has reached
/// the disk before `accept` returns. Concurrent accepts share one transaction and one fsync
/// (group commit).
public final class SQLiteDeliveryStore: DeliveryStore {
    private let pool: DatabasePool
    /// Accepts and attempt results share transactions: under load one fsync serves many of both.
    private let commits = GroupCommit<Write, AcceptResult?>()

    private enum Write: Sendable {
        case accept(NewDelivery, now: Date, dedupWindow: Duration)
        case record(Int64, AttemptResult, now: Date)
    }

    /// Opens (creating the directory and file if needed) and migrates the database at `path`.
    public init(path: String) throws(StoreError) {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw StoreError("cannot create \(directory.path): \(error.localizedDescription)")
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Effective on a new, empty database only (a no-op later): lets the retention sweep give
            // freed pages back to the disk.
            if !db.configuration.readonly { try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL") }
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(pool)
        } catch {
            throw StoreError("cannot open \(path): \(error)")
        }
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE deliveries (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        route TEXT NOT NULL,
                        conversation_id TEXT NOT NULL,
                        feedback TEXT NOT NULL,
                        event_id TEXT,
                        event_time REAL NOT NULL,
                        state TEXT NOT NULL,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        received_at REAL NOT NULL,
                        next_attempt_at REAL NOT NULL,
                        lease_until REAL,
                        last_status INTEGER,
                        last_error TEXT,
                        finished_at REAL
                    );
                    CREATE INDEX deliveries_due ON deliveries(next_attempt_at) WHERE state = 'pending';
                    CREATE INDEX deliveries_conversation ON deliveries(conversation_id, event_time);
                    CREATE INDEX deliveries_dead ON deliveries(id) WHERE state = 'dead';
                    CREATE INDEX deliveries_finished ON deliveries(finished_at) WHERE finished_at IS NOT NULL;
                    CREATE TABLE dedup_keys (
                        route TEXT NOT NULL,
                        key TEXT NOT NULL,
                        delivery_id INTEGER NOT NULL,
                        expires_at REAL NOT NULL,
                        PRIMARY KEY (route, key)
                    ) WITHOUT ROWID;
                    CREATE INDEX dedup_expiry ON dedup_keys(expires_at);
                    """
            )
        }
        migrator.registerMigration("v2") { db in
            try db.execute(
                sql: """
                    ALTER TABLE deliveries ADD COLUMN retried_at REAL;
                    CREATE TABLE write_check (id INTEGER PRIMARY KEY, at REAL NOT NULL);
                    """
            )
        }
        migrator.registerMigration("v3") { db in
            try db.execute(sql: "ALTER TABLE write_check ADD COLUMN room BLOB")
        }
        migrator.registerMigration("v4") { db in
            try db.execute(sql: "ALTER TABLE deliveries ADD COLUMN trace_parent TEXT")
        }
        return migrator
    }

    private func run<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try await pool.write(work)
        } catch {
            throw StoreError("SQLite: \(error)")
        }
    }

    private func read<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try await pool.read(work)
        } catch {
            throw StoreError("SQLite: \(error)")
        }
    }

    // MARK: - Accept

    public func accept(_ delivery: NewDelivery, now: Date, dedupWindow: Duration) async throws(StoreError) -> AcceptResult {
        try await commits.submit(.accept(delivery, now: now, dedupWindow: dedupWindow), commit: commitBatch)!
    }

    public func accept(
        _ delivery: NewDelivery,
        now: Date,
        dedupWindow: Duration,
        completion: @escaping @Sendable (Result<AcceptResult, StoreError>) -> Void
    ) {
        commits.submit(.accept(delivery, now: now, dedupWindow: dedupWindow), commit: commitBatch) { completion($0.map { $0! }) }
    }

    /// One transaction for a batch of accepts and attempt results; an accept's output is its result.
    private func commitBatch(_ batch: [Write]) async throws(StoreError) -> [AcceptResult?] {
        try await run { db in
            try batch.map { write in
                switch write {
                case .accept(let delivery, let now, let dedupWindow):
                    return try Self.insert(delivery, now: now, dedupWindow: dedupWindow, in: db)
                case .record(let id, let result, let now):
                    try Self.record(id, result, now: now, in: db)
                    return nil
                }
            }
        }
    }

    private static func insert(_ new: NewDelivery, now: Date, dedupWindow: Duration, in db: Database) throws -> AcceptResult {
        let nowSeconds = now.timeIntervalSince1970
        let earlier = try db.cachedStatement(sql: "SELECT delivery_id, expires_at FROM dedup_keys WHERE route = ? AND key = ?")
            .first([.text(new.route), .text(new.dedupKey)]) { (id: $0.integer(0), expiresAt: $0.real(1)) }
        if let earlier, earlier.expiresAt > nowSeconds {
            return .duplicate(id: earlier.id)
        }
        let eventTime = new.eventTime.timeIntervalSince1970
        // Newest wins per conversation: a newer event already pending or delivered makes this one history;
        // otherwise older pending events become history. One look at the conversation tells both.
        let conversation = try db.cachedStatement(
            sql: """
                SELECT MAX(CASE WHEN state IN ('pending', 'delivered') THEN event_time END) AS newest,
                       COUNT(CASE WHEN state = 'pending' THEN 1 END) AS pending
                FROM deliveries WHERE conversation_id = ?
                """
        ).first([.text(new.conversationID)]) { (newest: $0.isNull(0) ? nil : $0.real(0), pending: $0.integer(1)) }
        let newer = conversation?.newest.map { $0 > eventTime } ?? false
        if !newer, let conversation, conversation.pending > 0 {
            try db.cachedStatement(
                sql: """
                    UPDATE deliveries SET state = 'superseded', finished_at = ?
                    WHERE conversation_id = ? AND state = 'pending' AND event_time <= ?
                    """
            ).run([.real(nowSeconds), .text(new.conversationID), .real(eventTime)])
        }
        try db.cachedStatement(
            sql: """
                INSERT INTO deliveries (route, conversation_id, feedback, event_id, event_time, state, received_at, next_attempt_at, finished_at,
                                        trace_parent)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).run([
            .text(new.route), .text(new.conversationID), .text(new.feedback.rawValue), .text(new.eventID), .real(eventTime),
            .text(newer ? "superseded" : "pending"), .real(nowSeconds), .real(nowSeconds), newer ? .real(nowSeconds) : .null,
            .text(new.traceParent),
        ])
        let id = db.lastInsertedRowID
        try db.cachedStatement(
            sql: """
                INSERT INTO dedup_keys (route, key, delivery_id, expires_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (route, key) DO UPDATE SET delivery_id = excluded.delivery_id, expires_at = excluded.expires_at
                """
        ).run([.text(new.route), .text(new.dedupKey), .integer(id), .real(nowSeconds + dedupWindow.seconds)])
        return .accepted(id: id)
    }

    // MARK: - Worker

    public func claimDue(now: Date, limit: Int, leaseUntil: Date) async throws(StoreError) -> [Delivery] {
        let nowSeconds = now.timeIntervalSince1970
        let until = leaseUntil.timeIntervalSince1970
        return try await run { db in
            // Cached: preparing this statement (SQLite's parser, and GRDB's analysis of what it reads)
            // cost more than running it, once per worker wake-up.
            var due: [Delivery] = []
            try db.cachedStatement(
                sql: """
                    SELECT \(Self.deliveryColumns) FROM deliveries AS d
                    WHERE state = 'pending' AND next_attempt_at <= ?1 AND (lease_until IS NULL OR lease_until <= ?1)
                      AND NOT EXISTS (SELECT 1 FROM deliveries AS o
                                      WHERE o.conversation_id = d.conversation_id AND o.id <> d.id AND o.lease_until > ?1)
                    ORDER BY next_attempt_at, id LIMIT ?2
                    """
            ).run([.real(nowSeconds), .integer(limit)]) { due.append(try Self.delivery(from: $0)) }
            var claimed: [Delivery] = []
            var conversations = Set<String>()
            let lease = try db.cachedStatement(sql: "UPDATE deliveries SET lease_until = ?, attempts = attempts + 1 WHERE id = ?")
            for var delivery in due {
                guard conversations.insert(delivery.conversationID).inserted else { continue }
                try lease.run([.real(until), .integer(delivery.id)])
                delivery.attempts += 1
                claimed.append(delivery)
            }
            return claimed
        }
    }

    public func record(_ id: Int64, _ result: AttemptResult, now: Date) async throws(StoreError) {
        _ = try await commits.submit(.record(id, result, now: now), commit: commitBatch)
    }

    public func record(_ id: Int64, _ result: AttemptResult, now: Date, completion: @escaping @Sendable (Result<Void, StoreError>) -> Void) {
        commits.submit(.record(id, result, now: now), commit: commitBatch) { completion($0.map { _ in () }) }
    }

    private static func record(_ id: Int64, _ result: AttemptResult, now: Date, in db: Database) throws {
        let nowSeconds = now.timeIntervalSince1970
        do {
            switch result {
            case .delivered(let status):
                try db.cachedStatement(
                    sql: """
                        UPDATE deliveries SET state = 'delivered', lease_until = NULL, last_status = ?, last_error = NULL, finished_at = ?
                        WHERE id = ?
                        """
                ).run([.integer(status), .real(nowSeconds), .integer(id)])
            case .retry(let at, let status, let error):
                try db.cachedStatement(
                    sql: """
                        UPDATE deliveries SET lease_until = NULL, next_attempt_at = ?, last_status = ?, last_error = ?
                        WHERE id = ?
                        """
                ).run([.real(at.timeIntervalSince1970), .integer(status), .text(error), .integer(id)])
            case .dead(let status, let error):
                try db.cachedStatement(
                    sql: """
                        UPDATE deliveries SET state = CASE state WHEN 'pending' THEN 'dead' ELSE state END, lease_until = NULL,
                               last_status = ?, last_error = ?, finished_at = CASE state WHEN 'pending' THEN NULL ELSE finished_at END
                        WHERE id = ?
                        """
                ).run([.integer(status), .text(error), .integer(id)])
            }
        }
    }

    public func nextDue() async throws(StoreError) -> Date? {
        // Walks the due index from its start: only deliveries in flight (leased) can come before the
        // answer, so a few hundred rows suffice however large the backlog.
        try await read { db in
            try Double.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT MIN(max(next_attempt_at, coalesce(lease_until, 0))) FROM
                            (SELECT next_attempt_at, lease_until FROM deliveries WHERE state = 'pending' ORDER BY next_attempt_at LIMIT 1024)
                        """
                )
            )
        }.map(Date.init(timeIntervalSince1970:))
    }

    // MARK: - Operators

    public func delivery(_ id: Int64) async throws(StoreError) -> Delivery? {
        try await read { db in try Self.delivery(id, in: db) }
    }

    public func list(state: DeliveryState?, limit: Int, cursor: String?) async throws(StoreError) -> DeliveryPage {
        let before = cursor.flatMap(Int64.init) ?? Int64.max
        let limit = max(1, min(limit, 1000))
        return try await read { db in
            // The state is written into the SQL (it is one of four fixed words), so that listing dead
            // deliveries can use the partial index that only dead rows are in.
            let filter = state.map { "state = '\($0.rawValue)' AND" } ?? ""
            var rows: [Delivery] = []
            try db.makeStatement(sql: "SELECT \(Self.deliveryColumns) FROM deliveries WHERE \(filter) id < ? ORDER BY id DESC LIMIT ?")
                .run([.integer(before), .integer(limit + 1)]) { rows.append(try Self.delivery(from: $0)) }
            let deliveries = Array(rows.prefix(limit))
            return DeliveryPage(deliveries: deliveries, nextCursor: rows.count > limit ? deliveries.last.map { String($0.id) } : nil)
        }
    }

    public func retry(_ id: Int64, now: Date) async throws(StoreError) -> RetryResult {
        try await run { db in
            guard let delivery = try Self.delivery(id, in: db) else { return .notFound }
            guard delivery.state == .dead else { return .notDead(delivery.state) }
            guard try Self.revive(delivery, now: now, in: db) else { return .superseded }
            return .retried(try Self.delivery(id, in: db)!)
        }
    }

    public func retryAllDead(now: Date) async throws(StoreError) -> Int {
        try await run { db in
            // Read whole before any is revived: reviving writes the rows the select steps through.
            var dead: [Delivery] = []
            try db.makeStatement(sql: "SELECT \(Self.deliveryColumns) FROM deliveries WHERE state = 'dead' ORDER BY id")
                .run([]) { dead.append(try Self.delivery(from: $0)) }
            var retried = 0
            for delivery in dead where try Self.revive(delivery, now: now, in: db) { retried += 1 }
            return retried
        }
    }

    /// Makes a dead delivery pending and due now, unless a newer event for its conversation exists,
    /// in which case it becomes superseded: sending it would undo the newer feedback.
    private static func revive(_ delivery: Delivery, now: Date, in db: Database) throws -> Bool {
        let newer =
            try Bool.fetchOne(
                db,
                sql: """
                    SELECT EXISTS (SELECT 1 FROM deliveries WHERE conversation_id = ? AND id <> ? AND state IN ('pending', 'delivered')
                                   AND event_time >= ?)
                    """,
                arguments: [delivery.conversationID, delivery.id, delivery.eventTime.timeIntervalSince1970]
            ) ?? false
        if newer {
            try db.execute(
                sql: "UPDATE deliveries SET state = 'superseded', finished_at = ? WHERE id = ?",
                arguments: [now.timeIntervalSince1970, delivery.id]
            )
            return false
        }
        try db.execute(
            sql: """
                UPDATE deliveries SET state = 'pending', next_attempt_at = ?, retried_at = ?, lease_until = NULL, finished_at = NULL
                WHERE id = ?
                """,
            arguments: [now.timeIntervalSince1970, now.timeIntervalSince1970, delivery.id]
        )
        return true
    }

    public func count(state: DeliveryState) async throws(StoreError) -> Int {
        try await read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM deliveries WHERE state = ?", arguments: [state.rawValue]) ?? 0
        }
    }

    /// Pending and dead rows are counted through their partial indexes; delivered and superseded ones,
    /// which can be millions, are not counted here (their counters are in `/metrics`).
    public func statistics(now: Date) async throws(StoreError) -> QueueStatistics {
        try await read { db in
            let pending = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM deliveries WHERE state = 'pending'") ?? 0
            let inFlight =
                try Int.fetchOne(
                    db,
                    sql: "SELECT COUNT(*) FROM deliveries WHERE state = 'pending' AND lease_until > ?",
                    arguments: [now.timeIntervalSince1970]
                ) ?? 0
            let dead = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM deliveries WHERE state = 'dead'") ?? 0
            let oldest = try Double.fetchOne(db, sql: "SELECT MIN(received_at) FROM deliveries WHERE state = 'pending'")
            return QueueStatistics(pending: pending, leased: inFlight, dead: dead, oldestPendingReceivedAt: oldest)
        }
    }

    public func sweep(finishedBefore before: Date, now: Date) async throws(StoreError) -> SweepResult {
        // In chunks: one transaction deleting a million rows would hold the writer, and every accept
        // behind it, for seconds.
        let chunk = 5000
        var swept = SweepResult(deliveries: 0, dedupKeys: 0)
        while true {
            let deleted = try await run { db in
                try db.execute(
                    sql: """
                        DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries
                            WHERE finished_at < ? AND state IN ('delivered', 'superseded') LIMIT ?)
                        """,
                    arguments: [before.timeIntervalSince1970, chunk]
                )
                return db.changesCount
            }
            swept.deliveries += deleted
            if deleted < chunk { break }
        }
        while true {
            let deleted = try await run { db in
                try db.execute(
                    sql: """
                        DELETE FROM dedup_keys WHERE (route, key) IN (SELECT route, key FROM dedup_keys WHERE expires_at <= ? LIMIT ?)
                        """,
                    arguments: [now.timeIntervalSince1970, chunk]
                )
                return db.changesCount
            }
            swept.dedupKeys += deleted
            if deleted < chunk { break }
        }
        if swept.deliveries > 0 || swept.dedupKeys > 0 {
            // Freed pages go back to the disk; in WAL mode the file shrinks once the log is copied back.
            do {
                try await pool.writeWithoutTransaction { db in
                    try db.execute(sql: "PRAGMA incremental_vacuum")
                    try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
                }
            } catch {
                throw StoreError("SQLite checkpoint: \(error)")
            }
        }
        return swept
    }

    public func ping() async throws(StoreError) {
        _ = try await read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    public func checkWritable() async throws(StoreError) {
        let now = Date().timeIntervalSince1970
        // As large as a batch of events: a few bytes can fit on a disk that has no room for the next accepts.
        try await run { db in
            try db.execute(sql: "INSERT OR REPLACE INTO write_check (id, at, room) VALUES (1, ?, zeroblob(262144))", arguments: [now])
        }
    }

    /// The columns `delivery(from:)` reads, in its order: reading a row by index skips GRDB's
    /// case-insensitive lookup of each column name, which lowercased the name on every read.
    private static let deliveryColumns = """
        id, route, conversation_id, feedback, event_id, event_time, state, attempts, received_at, retried_at, next_attempt_at, \
        last_status, last_error, trace_parent
        """

    private static func delivery(_ id: Int64, in db: Database) throws -> Delivery? {
        try db.cachedStatement(sql: "SELECT \(deliveryColumns) FROM deliveries WHERE id = ?").first([.integer(id)], delivery(from:))
    }

    /// A row of `deliveryColumns`, as a statement steps through them.
    private static func delivery(from row: SQLiteRow) throws -> Delivery {
        guard let feedback = row.text(3).flatMap(Feedback.init(rawValue:)), let state = row.text(6).flatMap(DeliveryState.init(rawValue:)) else {
            throw StoreError("row \(row.integer(0)) has an unknown feedback or state")
        }
        return Delivery(
            id: row.integer(0),
            route: row.text(1) ?? "",
            conversationID: row.text(2) ?? "",
            feedback: feedback,
            eventID: row.text(4),
            eventTime: Date(timeIntervalSince1970: row.real(5)),
            state: state,
            attempts: Int(row.integer(7)),
            receivedAt: Date(timeIntervalSince1970: row.real(8)),
            retriedAt: row.isNull(9) ? nil : Date(timeIntervalSince1970: row.real(9)),
            nextAttemptAt: Date(timeIntervalSince1970: row.real(10)),
            lastStatus: row.isNull(11) ? nil : Int(row.integer(11)),
            lastError: row.text(12),
            traceParent: row.text(13)
        )
    }
}
