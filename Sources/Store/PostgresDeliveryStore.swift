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
    private let accepts = GroupCommit<Accept, AcceptResult>()
    private let records = GroupCommit<Record, Void>()

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
        ],
        [PostgresDeliveryStore.acceptFunction(keepingTraceParents: false), PostgresDeliveryStore.claimFunction],
        // The webhook's trace context, kept for delivery (README, Tracing). The accept without it stays,
        // as an overload, for replicas of the previous release during a rolling deploy.
        ["ALTER TABLE deliveries ADD COLUMN trace_parent TEXT", PostgresDeliveryStore.acceptFunction(keepingTraceParents: true)],
    ]

    /// A batch of accepts in one statement, so one round trip and one commit: each event's dedup key
    /// (claimed if new or expired), then, for each claimed one, its conversation's lock, the supersede
    /// of older pending events, the insert and the key's delivery id. Answers one row per event, in
    /// order. Keys are taken in one order, then conversation locks in one order, in every batch, so
    /// two batches on two replicas wait for each other at most one way round, never in a circle; a
    /// copy of an event in another replica's batch waits for this commit, then finds its key.
    private static func acceptFunction(keepingTraceParents: Bool) -> PostgresQuery {
        let (parameter, column, value) =
            keepingTraceParents ? (", trace_parents TEXT[]", ", trace_parent", ", NULLIF(trace_parents[i], '')") : ("", "", "")
        return PostgresQuery(
            unsafeSQL: """
                CREATE OR REPLACE FUNCTION feedback_relay_accept(
                    routes TEXT[], keys TEXT[], conversations TEXT[], feedbacks TEXT[], event_ids TEXT[],
                    event_times DOUBLE PRECISION[], nows DOUBLE PRECISION[], expiries DOUBLE PRECISION[]\(parameter)
                ) RETURNS TABLE (accepted_id BIGINT, is_duplicate BOOLEAN) LANGUAGE plpgsql AS $$
                DECLARE
                    claimed BOOLEAN[] := array_fill(false, ARRAY[cardinality(routes)]);
                    ids BIGINT[] := array_fill(0::BIGINT, ARRAY[cardinality(routes)]);
                    i INT;
                    newest DOUBLE PRECISION;
                    waiting BIGINT;
                    newer BOOLEAN;
                    inserted BIGINT;
                BEGIN
                    FOR i IN SELECT o FROM generate_subscripts(routes, 1) AS o ORDER BY routes[o], keys[o], o LOOP
                        INSERT INTO dedup_keys AS k (route, key, delivery_id, expires_at) VALUES (routes[i], keys[i], 0, expiries[i])
                        ON CONFLICT (route, key) DO UPDATE SET delivery_id = 0, expires_at = EXCLUDED.expires_at WHERE k.expires_at <= nows[i];
                        claimed[i] := FOUND;
                    END LOOP;
                    FOR i IN SELECT o FROM generate_subscripts(routes, 1) AS o WHERE claimed[o] ORDER BY conversations[o], o LOOP
                        PERFORM pg_advisory_xact_lock(hashtextextended(conversations[i], 0));
                        SELECT MAX(CASE WHEN state IN ('pending', 'delivered') THEN event_time END), COUNT(*) FILTER (WHERE state = 'pending')
                        INTO newest, waiting FROM deliveries WHERE conversation_id = conversations[i];
                        newer := COALESCE(newest > event_times[i], false);
                        IF NOT newer AND waiting > 0 THEN
                            UPDATE deliveries SET state = 'superseded', finished_at = nows[i]
                            WHERE conversation_id = conversations[i] AND state = 'pending' AND event_time <= event_times[i];
                        END IF;
                        INSERT INTO deliveries (route, conversation_id, feedback, event_id, event_time, state, received_at, next_attempt_at, finished_at\(column))
                        VALUES (routes[i], conversations[i], feedbacks[i], NULLIF(event_ids[i], ''), event_times[i],
                                CASE WHEN newer THEN 'superseded' ELSE 'pending' END, nows[i], nows[i], CASE WHEN newer THEN nows[i] END\(value))
                        RETURNING id INTO inserted;
                        ids[i] := inserted;
                        UPDATE dedup_keys SET delivery_id = inserted WHERE route = routes[i] AND key = keys[i];
                    END LOOP;
                    RETURN QUERY
                        SELECT CASE WHEN claimed[o] THEN ids[o]
                                    ELSE (SELECT d.delivery_id FROM dedup_keys AS d WHERE d.route = routes[o] AND d.key = keys[o]) END,
                               NOT claimed[o]
                        FROM generate_subscripts(routes, 1) AS o ORDER BY o;
                END
                $$
                """
        )
    }

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
        id, route, conversation_id, feedback, event_id, event_time, state, attempts, received_at, retried_at, next_attempt_at, last_status, last_error,
        trace_parent
        """

    private typealias Row = (Int64, String, String, String, String?, Double, String, Int, Double, Double?, Double, Int?, String?, String?)

    private static func delivery(_ row: Row) throws(StoreError) -> Delivery {
        let (id, route, conversation, feedbackText, eventID, eventTime, stateText, attempts, received, retried, next, status, error, traceParent) =
            row
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
            lastError: error,
            traceParent: traceParent
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

    /// A claim in one statement: due deliveries, oldest first (skipping rows another replica's claim holds,
    /// so two replicas claiming at once take different work), one per conversation, each leased only if
    /// its conversation's lock is free now (another replica accepting or claiming it is skipped, never
    /// waited for) and nothing else of that conversation is in flight. Set-based: a row-by-row loop
    /// took most of the database's time under load. The locks last until the statement's transaction ends.
    private static let claimFunction: PostgresQuery = """
        CREATE OR REPLACE FUNCTION feedback_relay_claim(at_time DOUBLE PRECISION, wanted BIGINT, lease_end DOUBLE PRECISION)
        RETURNS SETOF deliveries LANGUAGE sql AS $$
            WITH candidates AS (
                SELECT id, conversation_id, next_attempt_at FROM deliveries
                WHERE state = 'pending' AND next_attempt_at <= at_time AND (lease_until IS NULL OR lease_until <= at_time)
                ORDER BY next_attempt_at, id LIMIT wanted * 2
                FOR UPDATE SKIP LOCKED
            ), oldest AS (
                SELECT DISTINCT ON (conversation_id) id, conversation_id, next_attempt_at FROM candidates
                ORDER BY conversation_id, next_attempt_at, id
            ), chosen AS (
                SELECT id FROM oldest
                WHERE pg_try_advisory_xact_lock(hashtextextended(conversation_id, 0))
                  AND NOT EXISTS (SELECT 1 FROM deliveries AS o
                                  WHERE o.conversation_id = oldest.conversation_id AND o.id <> oldest.id AND o.lease_until > at_time)
                ORDER BY next_attempt_at, id LIMIT wanted
            )
            UPDATE deliveries AS d SET lease_until = lease_end, attempts = d.attempts + 1
            FROM chosen WHERE d.id = chosen.id
            RETURNING d.*
        $$
        """

    // MARK: - Accept

    public func accept(_ new: NewDelivery, now: Date, dedupWindow: Duration) async throws(StoreError) -> AcceptResult {
        try await accepts.submit(Accept(new: new, now: now, dedupWindow: dedupWindow), commit: acceptAll)
    }

    public func accept(
        _ new: NewDelivery,
        now: Date,
        dedupWindow: Duration,
        completion: @escaping @Sendable (Result<AcceptResult, StoreError>) -> Void
    ) {
        accepts.submit(Accept(new: new, now: now, dedupWindow: dedupWindow), commit: acceptAll, completion: completion)
    }

    private struct Accept: Sendable {
        let new: NewDelivery
        let now: Double
        let expires: Double

        init(new: NewDelivery, now: Date, dedupWindow: Duration) {
            self.new = new
            self.now = now.timeIntervalSince1970
            self.expires = now.timeIntervalSince1970 + dedupWindow.seconds
        }
    }

    /// Concurrent accepts share one call of `feedback_relay_accept`: one round trip, one commit.
    private func acceptAll(_ batch: [Accept]) async throws(StoreError) -> [AcceptResult] {
        let routes = batch.map(\.new.route)
        let keys = batch.map(\.new.dedupKey)
        let conversations = batch.map(\.new.conversationID)
        let feedbacks = batch.map(\.new.feedback.rawValue)
        // An empty id stands for none: arrays of optionals do not bind.
        let eventIDs = batch.map { $0.new.eventID ?? "" }
        let eventTimes = batch.map { $0.new.eventTime.timeIntervalSince1970 }
        let (nows, expiries) = (batch.map(\.now), batch.map(\.expires))
        let traceParents = batch.map { $0.new.traceParent ?? "" }
        let rows = try await rows(
            """
            SELECT accepted_id, is_duplicate FROM feedback_relay_accept(\(routes), \(keys), \(conversations), \(feedbacks), \(eventIDs),
                                                                      \(eventTimes), \(nows), \(expiries), \(traceParents))
            """,
            as: (Int64, Bool).self
        )
        guard rows.count == batch.count else { throw StoreError("PostgreSQL: \(rows.count) answers to a batch of \(batch.count) accepts") }
        return rows.map { id, duplicate in duplicate ? .duplicate(id: id) : .accepted(id: id) }
    }

    // MARK: - Worker

    public func claimDue(now: Date, limit: Int, leaseUntil: Date) async throws(StoreError) -> [Delivery] {
        let (nowSeconds, until) = (now.timeIntervalSince1970, leaseUntil.timeIntervalSince1970)
        let rows = try await rows(
            "SELECT \(unescaped: Self.columns.sql) FROM feedback_relay_claim(\(nowSeconds), \(limit), \(until))",
            as: Row.self
        )
        return try rows.map { row throws(StoreError) in try Self.delivery(row) }
    }

    public func record(_ id: Int64, _ result: AttemptResult, now: Date) async throws(StoreError) {
        try await records.submit(Record(id: id, result: result, at: now.timeIntervalSince1970)) {
            batch async throws(StoreError) in try await self.recordAll(batch)
        }
    }

    public func record(_ id: Int64, _ result: AttemptResult, now: Date, completion: @escaping @Sendable (Result<Void, StoreError>) -> Void) {
        records.submit(Record(id: id, result: result, at: now.timeIntervalSince1970), commit: recordAll, completion: completion)
    }

    private struct Record: Sendable {
        let id: Int64
        let result: AttemptResult
        let at: Double
    }

    /// Results finishing together share one statement and one commit. A dead delivery keeps no
    /// `finished_at`, so the retention sweep leaves it until it is retried.
    private func recordAll(_ batch: [Record]) async throws(StoreError) -> [Void] {
        var (outcomes, nextAttempts, statuses, errors) = ([String](), [Double](), [Int](), [String]())
        for record in batch {
            let (outcome, next, status, error): (String, Double, Int?, String?) =
                switch record.result {
                case .delivered(let status): ("delivered", 0, status, nil)
                case .retry(let at, let status, let error): ("retry", at.timeIntervalSince1970, status, error)
                case .dead(let status, let error): ("dead", 0, status, error)
                }
            outcomes.append(outcome)
            nextAttempts.append(next)
            statuses.append(status ?? -1)
            errors.append(error ?? "")
        }
        let (ids, ats) = (batch.map(\.id), batch.map(\.at))
        // Arrays of optionals do not bind: -1 and '' stand for no status and no error.
        try await execute(
            """
            UPDATE deliveries AS d SET
                state = CASE WHEN r.outcome = 'delivered' THEN 'delivered' WHEN r.outcome = 'dead' AND d.state = 'pending' THEN 'dead' ELSE d.state END,
                lease_until = NULL,
                next_attempt_at = CASE WHEN r.outcome = 'retry' THEN r.next_attempt_at ELSE d.next_attempt_at END,
                last_status = NULLIF(r.status, -1),
                last_error = NULLIF(r.error, ''),
                finished_at = CASE WHEN r.outcome = 'delivered' THEN r.at WHEN r.outcome = 'dead' AND d.state = 'pending' THEN NULL
                                   ELSE d.finished_at END
            FROM unnest(\(ids)::BIGINT[], \(outcomes)::TEXT[], \(nextAttempts)::DOUBLE PRECISION[], \(statuses)::BIGINT[], \(errors)::TEXT[],
                        \(ats)::DOUBLE PRECISION[]) AS r(id, outcome, next_attempt_at, status, error, at)
            WHERE d.id = r.id
            """
        )
        return batch.map { _ in () }
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
        return QueueStatistics(pending: pending, leased: inFlight, dead: dead, oldestPendingReceivedAt: oldest)
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
