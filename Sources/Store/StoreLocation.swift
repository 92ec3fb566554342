import Logging
import RelayModel

/// `RELAY_STORE`: an SQLite file, or a PostgreSQL database shared by every replica.
public enum StoreLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresLocation)

    public init(parsing text: String) throws(SettingProblem) {
        if text.hasPrefix("sqlite:") {
            guard text.count > 7 else { throw SettingProblem("'sqlite:' names no file; use sqlite:/data/relay.sqlite") }
            self = .sqlite(path: String(text.dropFirst(7)))
        } else if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            self = .postgres(try PostgresLocation(parsing: text))
        } else {
            throw SettingProblem("is neither sqlite:PATH nor postgres://user:password@host:5432/database")
        }
    }

    /// Opens the store, migrated; any problem is a start error.
    public func open(logger: Logger) async throws(StoreError) -> any DeliveryStore {
        switch self {
        case .sqlite(let path): try SQLiteDeliveryStore(path: path)
        case .postgres(let location): try await PostgresDeliveryStore.connect(location, logger: logger)
        }
    }

    /// Without the password.
    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres(let location): location.description
        }
    }
}
