import Foundation
import Logging
import PostgresNIO
import RelayModel

/// The shared store: any number of relays on one PostgreSQL database. Each accept is one transaction
/// that has committed before it returns. What SQLite gets from having one writer, this gets from locks
/// that hold across replicas:
/// - the dedup key is inserted first, so a second copy of an event waits for the first one's commit and
///   then sees it (a duplicate), whichever replica it reached;
/// - everything that looks at a conversation and changes it (accept with its supersede, claim, retry)
///   holds the conversation's transaction-scoped advisory lock, so newest-wins and "never two of one
///   conversation in flight" hold across replicas;
/// - claims take a conversation's lock without waiting (`pg_try_advisory_xact_lock`): a conversation
///   another replica is busy with is skipped, never waited for, so claims cannot deadlock with accepts;
/// - migrations run under a session advisory lock, so replicas that start together migrate once, and
///   the retention sweep runs on one replica at a time.
public final class PostgresDeliveryStore: DeliveryStore {
    private let client: PostgresClient
    private let running: Task<Void, Never>
    private let logger: Logger

    /// Advisory lock keys of the store's own (conversation locks use `hashtextextended` of the id).
    private enum LockKey {
        static let migrations: Int64 = 0x6665_6564_6d69_6772  // "feedmigr"
        static let sweep: Int64 = 0x6665_6564_7377_6570  // "feedswep"
    }

    private init(client: PostgresClient, running: Task<Void, Never>, logger: Logger) {
        self.client = client
        self.running = running
        self.logger = logger
    }

    /// Connects and migrates; an unreachable server, a refused login or missing rights fail here, at start.
    public static func connect(_ location: PostgresLocation, logger: Logger) async throws(StoreError) -> PostgresDeliveryStore {
        do {
            let connection = try await PostgresConnection.connect(configuration: try location.connectionConfiguration(), id: 0, logger: logger)
            do {
                try await migrate(on: connection, logger: logger)
            } catch {
                try? await connection.close()
                throw error
            }
            try? await connection.close()
        } catch {
            throw StoreError("cannot use \(location): \(Self.describe(error))")
        }
        let client = PostgresClient(configuration: location.clientConfiguration, backgroundLogger: logger)
        return PostgresDeliveryStore(client: client, running: Task { await client.run() }, logger: logger)
    }

    public func close() async {
        running.cancel()
        await running.value
    }

    // MARK: - Schema

    private static let migrations: [[PostgresQuery]] = [
        [
            """
            CREATE TABLE deliveries (
                id BIGSERIAL PRIMARY KEY,
                route TEXT NOT NULL,
                conversation_id TEXT NOT NULL,
                feedback TEXT NOT NULL,
                event_id TEXT,
                event_time DOUBLE PRECISION NOT NULL,
                state TEXT NOT NULL,
                attempts BIGINT NOT NULL DEFAULT 0,
                received_at DOUBLE PRECISION NOT NULL,
                retried_at DOUBLE PRECISION,
                next_attempt_at DOUBLE PRECISION NOT NULL,
                lease_until DOUBLE PRECISION,
                last_status BIGINT,
                last_error TEXT,
                finished_at DOUBLE PRECISION
            )
            """,
            "CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE state = 'pending'",
            "CREATE INDEX deliveries_conversation ON deliveries (conversation_id, event_time)",
            "CREATE INDEX deliveries_dead ON deliveries (id) WHERE state = 'dead'",
            "CREATE INDEX deliveries_finished ON deliveries (finished_at) WHERE finished_at IS NOT NULL",
            """
            CREATE TABLE dedup_keys (
                route TEXT NOT NULL,
                key TEXT NOT NULL,
                delivery_id BIGINT NOT NULL,
                expires_at DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (route, key)
            )
            """,
            "CREATE INDEX dedup_expiry ON dedup_keys (expires_at)",
            "CREATE TABLE write_check (id INTEGER PRIMARY KEY, at DOUBLE PRECISION NOT NULL)",
        ]
    ]

    private static func migrate(on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SELECT pg_advisory_lock(\(LockKey.migrations))", logger: logger)
        do {
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS feedback_relay_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                logger: logger
            )
            var applied = 0
            for try await version in try await connection.query("SELECT COALESCE(MAX(version), 0) FROM feedback_relay_migrations", logger: logger)
                .decode(Int.self)
            {
                applied = version
            }
            for (index, statements) in migrations.enumerated() where index + 1 > applied {
                try await connection.withTransaction(logger: logger) { connection in
                    for statement in statements { try await connection.query(statement, logger: logger) }
                    try await connection.query("INSERT INTO feedback_relay_migrations (version) VALUES (\(index + 1))", logger: logger)
                }
                logger.info("store migrated", metadata: ["version": "\(index + 1)"])
            }
        } catch {
            _ = try? await connection.query("SELECT pg_advisory_unlock(\(LockKey.migrations))", logger: logger)
            throw error
        }
        try await connection.query("SELECT pg_advisory_unlock(\(LockKey.migrations))", logger: logger)
    }

    // MARK: - Running queries

    /// How long one store operation may take. With the database down, the pool would wait for a connection
    /// for as long as it is down; a sender gets 503 after this instead, and `/readyz` says why.
    static let operationTimeout = Duration.seconds(5)

    private func bounded<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws(StoreError) -> T {
        do {
            return try await withDeadline(Self.operationTimeout, work)
        } catch {
            throw StoreError("PostgreSQL: \(Self.describe(error))")
        }
    }

    private func transaction<T: Sendable>(_ work: @escaping @Sendable (PostgresConnection) async throws -> T) async throws(StoreError) -> T {
        let (client, logger) = (client, logger)
        return try await bounded { try await client.withTransaction(logger: logger) { connection in try await work(connection) } }
    }

    private func rows<each Column: PostgresDecodable & Sendable>(
        _ query: PostgresQuery,
        as types: (repeat each Column).Type
    ) async throws(StoreError) -> [(repeat each Column)] {
        let (client, logger) = (client, logger)
        return try await bounded {
            var result: [(repeat each Column)] = []
            for try await row in try await client.query(query, logger: logger).decode((repeat each Column).self) { result.append(row) }
            return result
        }
    }

    private func execute(_ query: PostgresQuery) async throws(StoreError) {
        let (client, logger) = (client, logger)
        try await bounded { _ = try await client.query(query, logger: logger) }
    }

    /// The server's own message (a `PSQLError` describes itself only by its code otherwise).
    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let message = error.serverInfo?[.message] {
            return "\(message)" + (error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? "")
        }
        if let underlying = error.underlying, !(underlying is PSQLError) { return "\(error.code): \(underlying)" }
        return "\(error.code)"
    }

    private static let columns: PostgresQuery = """
        id, route, conversation_id, feedback, event_id, event_time, state, attempts, received_at, retried_at, next_attempt_at, last_status, last_error
        """

    private typealias Row = (Int64, String, String, String, String?, Double, String, Int, Double, Double?, Double, Int?, String?)

    private static func delivery(_ row: Row) throws(StoreError) -> Delivery {
        let (id, route, conversation, feedbackText, eventID, eventTime, stateText, attempts, received, retried, next, status, error) = row
        guard let feedback = Feedback(rawValue: feedbackText), let state = DeliveryState(rawValue: stateText) else {
            throw StoreError("row \(id) has an unknown feedback or state")
        }
        return Delivery(
            id: id,
            route: route,
            conversationID: conversation,
            feedback: feedback,
            eventID: eventID,
            eventTime: Date(timeIntervalSince1970: eventTime),
            state: state,
            attempts: attempts,
            receivedAt: Date(timeIntervalSince1970: received),
            retriedAt: retried.map(Date.init(timeIntervalSince1970:)),
            nextAttemptAt: Date(timeIntervalSince1970: next),
            lastStatus: status,
            lastError: error
        )
    }

    private static func deliveries(_ sequence: PostgresRowSequence) async throws -> [Delivery] {
        var result: [Delivery] = []
        for try await row in sequence.decode(Row.self) { result.append(try delivery(row)) }
        return result
    }

    private static func lockConversation(_ conversation: String, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SELECT pg_advisory_xact_lock(hashtextextended(\(conversation), 0))", logger: logger)
    }

    // MARK: - Accept

    public func accept(_ new: NewDelivery, now: Date, dedupWindow: Duration) async throws(StoreError) -> AcceptResult {
        let nowSeconds = now.timeIntervalSince1970
        let expires = nowSeconds + dedupWindow.seconds
        let eventTime = new.eventTime.timeIntervalSince1970
        let logger = logger
        return try await transaction { connection in
            // The key first: a copy on another replica waits here for this commit, then finds the key.
            let claimed = try await connection.query(
                """
                INSERT INTO dedup_keys (route, key, delivery_id, expires_at) VALUES (\(new.route), \(new.dedupKey), 0, \(expires))
                ON CONFLICT (route, key) DO UPDATE SET delivery_id = 0, expires_at = EXCLUDED.expires_at
                WHERE dedup_keys.expires_at <= \(nowSeconds)
                RETURNING 1
                """,
                logger: logger
            ).collect()
            if claimed.isEmpty {
                for try await id in try await connection.query(
                    "SELECT delivery_id FROM dedup_keys WHERE route = \(new.route) AND key = \(new.dedupKey)",
                    logger: logger
                ).decode(Int64.self) {
                    return AcceptResult.duplicate(id: id)
                }
            }
            try await Self.lockConversation(new.conversationID, on: connection, logger: logger)
            var newest: Double?
            var pending = 0
            for try await (max, count) in try await connection.query(
                """
                SELECT MAX(CASE WHEN state IN ('pending', 'delivered') THEN event_time END),
                       COUNT(CASE WHEN state = 'pending' THEN 1 END)
                FROM deliveries WHERE conversation_id = \(new.conversationID)
                """,
                logger: logger
            ).decode((Double?, Int).self) {
                (newest, pending) = (max, count)
            }
            let newer = newest.map { $0 > eventTime } ?? false
            if !newer, pending > 0 {
                try await connection.query(
                    """
                    UPDATE deliveries SET state = 'superseded', finished_at = \(nowSeconds)
                    WHERE conversation_id = \(new.conversationID) AND state = 'pending' AND event_time <= \(eventTime)
                    """,
                    logger: logger
                )
            }
            let state = newer ? "superseded" : "pending"
            let finished: Double? = newer ? nowSeconds : nil
            var id: Int64 = 0
            for try await inserted in try await connection.query(
                """
                INSERT INTO deliveries (route, conversation_id, feedback, event_id, event_time, state, received_at, next_attempt_at, finished_at)
                VALUES (\(new.route), \(new.conversationID), \(new.feedback.rawValue), \(new.eventID), \(eventTime), \(state), \(nowSeconds),
                        \(nowSeconds), \(finished))
                RETURNING id
                """,
                logger: logger
            ).decode(Int64.self) {
                id = inserted
            }
            try await connection.query(
                "UPDATE dedup_keys SET delivery_id = \(id) WHERE route = \(new.route) AND key = \(new.dedupKey)",
                logger: logger
            )
            return AcceptResult.accepted(id: id)
        }
    }

    // MARK: - Worker

    public func claimDue(now: Date, limit: Int, leaseUntil: Date) async throws(StoreError) -> [Delivery] {
        let nowSeconds = now.timeIntervalSince1970
        let until = leaseUntil.timeIntervalSince1970
        let logger = logger
        return try await transaction { connection in
            var candidates: [(Int64, String)] = []
            for try await row in try await connection.query(
                """
                SELECT id, conversation_id FROM deliveries
                WHERE state = 'pending' AND next_attempt_at <= \(nowSeconds) AND (lease_until IS NULL OR lease_until <= \(nowSeconds))
                ORDER BY next_attempt_at, id LIMIT \(limit * 2)
                """,
                logger: logger
            ).decode((Int64, String).self) {
                candidates.append(row)
            }
            var claimed: [Delivery] = []
            var conversations = Set<String>()
            for (id, conversation) in candidates where claimed.count < limit && conversations.insert(conversation).inserted {
                // Held until this transaction ends: no other replica looks at this conversation meanwhile.
                var locked = false
                for try await got in try await connection.query(
                    "SELECT pg_try_advisory_xact_lock(hashtextextended(\(conversation), 0))",
                    logger: logger
                ).decode(Bool.self) {
                    locked = got
                }
                guard locked else { continue }
                claimed += try await Self.deliveries(
                    try await connection.query(
                        """
                        UPDATE deliveries AS d SET lease_until = \(until), attempts = attempts + 1
                        WHERE id = \(id) AND state = 'pending' AND (lease_until IS NULL OR lease_until <= \(nowSeconds))
                          AND NOT EXISTS (SELECT 1 FROM deliveries AS o
                                          WHERE o.conversation_id = d.conversation_id AND o.id <> d.id AND o.lease_until > \(nowSeconds))
                        RETURNING \(unescaped: Self.columns.sql)
                        """,
                        logger: logger
                    )
                )
            }
            return claimed
        }
    }

    public func record(_ id: Int64, _ result: AttemptResult, now: Date) async throws(StoreError) {
        let nowSeconds = now.timeIntervalSince1970
        let query: PostgresQuery
        switch result {
        case .delivered(let status):
            query = """
                UPDATE deliveries SET state = 'delivered', lease_until = NULL, last_status = \(status), last_error = NULL, finished_at = \(nowSeconds)
                WHERE id = \(id)
                """
        case .retry(let at, let status, let error):
            query = """
                UPDATE deliveries SET lease_until = NULL, next_attempt_at = \(at.timeIntervalSince1970), last_status = \(status), last_error = \(error)
                WHERE id = \(id)
                """
        case .dead(let status, let error):
            query = """
                UPDATE deliveries SET state = CASE state WHEN 'pending' THEN 'dead' ELSE state END, lease_until = NULL,
                       last_status = \(status), last_error = \(error), finished_at = CASE state WHEN 'pending' THEN NULL ELSE finished_at END
                WHERE id = \(id)
                """
        }
        try await execute(query)
    }

    public func nextDue() async throws(StoreError) -> Date? {
        try await rows(
            """
            SELECT MIN(GREATEST(next_attempt_at, COALESCE(lease_until, 0))) FROM
                (SELECT next_attempt_at, lease_until FROM deliveries WHERE state = 'pending' ORDER BY next_attempt_at LIMIT 1024) AS due
            """,
            as: (Double?).self
        ).first?.flatMap { $0 }.map(Date.init(timeIntervalSince1970:))
    }

    // MARK: - Operators

    public func delivery(_ id: Int64) async throws(StoreError) -> Delivery? {
        let logger = logger
        return try await transaction { connection in
            try await Self.deliveries(
                try await connection.query("SELECT \(unescaped: Self.columns.sql) FROM deliveries WHERE id = \(id)", logger: logger)
            ).first
        }
    }

    public func list(state: DeliveryState?, limit: Int, cursor: String?) async throws(StoreError) -> DeliveryPage {
        let before = cursor.flatMap(Int64.init) ?? Int64.max
        let limit = max(1, min(limit, 1000))
        let logger = logger
        return try await transaction { connection in
            // The state is one of four fixed words: written into the SQL, listing dead ones uses their partial index.
            let filter = state.map { "state = '\($0.rawValue)' AND" } ?? ""
            let rows = try await Self.deliveries(
                try await connection.query(
                    "SELECT \(unescaped: Self.columns.sql) FROM deliveries WHERE \(unescaped: filter) id < \(before) ORDER BY id DESC LIMIT \(limit + 1)",
                    logger: logger
                )
            )
            let deliveries = Array(rows.prefix(limit))
            return DeliveryPage(deliveries: deliveries, nextCursor: rows.count > limit ? deliveries.last.map { String($0.id) } : nil)
        }
    }

    public func retry(_ id: Int64, now: Date) async throws(StoreError) -> RetryResult {
        let logger = logger
        return try await transaction { connection in
            guard
                let found = try await Self.deliveries(
                    try await connection.query("SELECT \(unescaped: Self.columns.sql) FROM deliveries WHERE id = \(id)", logger: logger)
                ).first
            else { return RetryResult.notFound }
            guard found.state == .dead else { return .notDead(found.state) }
            guard try await Self.revive(found, now: now, on: connection, logger: logger) else { return .superseded }
            let revived = try await Self.deliveries(
                try await connection.query("SELECT \(unescaped: Self.columns.sql) FROM deliveries WHERE id = \(id)", logger: logger)
            )
            return .retried(revived[0])
        }
    }

    public func retryAllDead(now: Date) async throws(StoreError) -> Int {
        let logger = logger
        return try await transaction { connection in
            let dead = try await Self.deliveries(
                try await connection.query("SELECT \(unescaped: Self.columns.sql) FROM deliveries WHERE state = 'dead' ORDER BY id", logger: logger)
            )
            var retried = 0
            for delivery in dead where try await Self.revive(delivery, now: now, on: connection, logger: logger) { retried += 1 }
            return retried
        }
    }

    /// Pending and due now, unless a newer event for its conversation exists: then superseded, since
    /// sending it would undo the newer feedback.
    private static func revive(_ delivery: Delivery, now: Date, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        try await lockConversation(delivery.conversationID, on: connection, logger: logger)
        let nowSeconds = now.timeIntervalSince1970
        var newer = false
        for try await exists in try await connection.query(
            """
            SELECT EXISTS (SELECT 1 FROM deliveries WHERE conversation_id = \(delivery.conversationID) AND id <> \(delivery.id)
                           AND state IN ('pending', 'delivered') AND event_time >= \(delivery.eventTime.timeIntervalSince1970))
            """,
            logger: logger
        ).decode(Bool.self) {
            newer = exists
        }
        if newer {
            try await connection.query(
                "UPDATE deliveries SET state = 'superseded', finished_at = \(nowSeconds) WHERE id = \(delivery.id)",
                logger: logger
            )
            return false
        }
        try await connection.query(
            """
            UPDATE deliveries SET state = 'pending', next_attempt_at = \(nowSeconds), retried_at = \(nowSeconds), lease_until = NULL, finished_at = NULL
            WHERE id = \(delivery.id)
            """,
            logger: logger
        )
        return true
    }

    public func count(state: DeliveryState) async throws(StoreError) -> Int {
        try await rows("SELECT COUNT(*) FROM deliveries WHERE state = \(state.rawValue)", as: (Int).self).first ?? 0
    }

    public func statistics(now: Date) async throws(StoreError) -> QueueStatistics {
        let row = try await rows(
            """
            SELECT (SELECT COUNT(*) FROM deliveries WHERE state = 'pending'),
                   (SELECT COUNT(*) FROM deliveries WHERE state = 'pending' AND lease_until > \(now.timeIntervalSince1970)),
                   (SELECT COUNT(*) FROM deliveries WHERE state = 'dead'),
                   (SELECT MIN(received_at) FROM deliveries WHERE state = 'pending')
            """,
            as: (Int, Int, Int, Double?).self
        ).first
        guard let (pending, inFlight, dead, oldest) = row else { throw StoreError("PostgreSQL: no statistics row") }
        return QueueStatistics(
            waiting: pending - inFlight,
            inFlight: inFlight,
            dead: dead,
            oldestPendingReceivedAt: oldest.map(Date.init(timeIntervalSince1970:))
        )
    }

    /// On one replica at a time (a session advisory lock; the others skip their turn), in chunks, so no
    /// transaction holds rows that accepts need for long.
    public func sweep(finishedBefore before: Date, now: Date) async throws(StoreError) -> SweepResult {
        let logger = logger
        do {
            return try await client.withConnection { connection in
                var locked = false
                for try await got in try await connection.query("SELECT pg_try_advisory_lock(\(LockKey.sweep))", logger: logger).decode(Bool.self) {
                    locked = got
                }
                guard locked else { return SweepResult(deliveries: 0, dedupKeys: 0) }
                var swept = SweepResult(deliveries: 0, dedupKeys: 0)
                do {
                    let chunk = 5000
                    while true {
                        var deleted = 0
                        for try await count in try await connection.query(
                            """
                            WITH gone AS (DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries
                                WHERE finished_at < \(before.timeIntervalSince1970) AND state IN ('delivered', 'superseded') LIMIT \(chunk))
                                RETURNING 1)
                            SELECT COUNT(*) FROM gone
                            """,
                            logger: logger
                        ).decode(Int.self) {
                            deleted = count
                        }
                        swept.deliveries += deleted
                        if deleted < chunk { break }
                    }
                    while true {
                        var deleted = 0
                        for try await count in try await connection.query(
                            """
                            WITH gone AS (DELETE FROM dedup_keys WHERE (route, key) IN (SELECT route, key FROM dedup_keys
                                WHERE expires_at <= \(now.timeIntervalSince1970) LIMIT \(chunk)) RETURNING 1)
                            SELECT COUNT(*) FROM gone
                            """,
                            logger: logger
                        ).decode(Int.self) {
                            deleted = count
                        }
                        swept.dedupKeys += deleted
                        if deleted < chunk { break }
                    }
                } catch {
                    _ = try? await connection.query("SELECT pg_advisory_unlock(\(LockKey.sweep))", logger: logger)
                    throw error
                }
                try await connection.query("SELECT pg_advisory_unlock(\(LockKey.sweep))", logger: logger)
                return swept
            }
        } catch {
            throw StoreError("PostgreSQL: \(Self.describe(error))")
        }
    }

    public func ping() async throws(StoreError) {
        _ = try await rows("SELECT 1", as: (Int).self)
    }

    public func checkWritable() async throws(StoreError) {
        try await execute(
            "INSERT INTO write_check (id, at) VALUES (1, \(Date().timeIntervalSince1970)) ON CONFLICT (id) DO UPDATE SET at = EXCLUDED.at"
        )
    }
}
