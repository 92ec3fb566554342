import GRDB
import GRDBSQLite

/// A value for a statement parameter, bound through SQLite's C API.
enum SQLiteValue {
    case text(String)
    case integer(Int64)
    case real(Double)
    case null

    static func text(_ text: String?) -> SQLiteValue { text.map(SQLiteValue.text) ?? .null }
    static func integer(_ integer: (some BinaryInteger)?) -> SQLiteValue { integer.map { .integer(Int64($0)) } ?? .null }
}

/// One result row of a statement being stepped, read by column index.
struct SQLiteRow {
    let handle: SQLiteStatement

    func integer(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
    func real(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }
    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    func text(_ column: Int32) -> String? {
        guard let bytes = sqlite3_column_text(handle, column) else { return nil }
        return String(decoding: UnsafeBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(handle, column))), as: UTF8.self)
    }
}

private let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

extension Statement {
    /// Runs this statement (a cached one) with `values` bound by position, handing each result row to
    /// `row`. The queue's statements run through SQLite's C API: GRDB's `StatementArguments` box every
    /// value and its `Row` decodes every column through a protocol, which cost more than the statements
    /// themselves, several times per event (README, Performance, "Queue mode with its batches").
    func run(_ values: [SQLiteValue], row: ((SQLiteRow) throws -> Void)? = nil) throws {
        try bind(values)
        defer { clear() }
        while try step() { try row?(SQLiteRow(handle: sqliteStatement)) }
    }

    /// The first result row, made into a value by `read`; nil when there is none.
    func first<T>(_ values: [SQLiteValue], _ read: (SQLiteRow) throws -> T) throws -> T? {
        try bind(values)
        defer { clear() }
        return try step() ? read(SQLiteRow(handle: sqliteStatement)) : nil
    }

    private func bind(_ values: [SQLiteValue]) throws {
        let handle = sqliteStatement
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32 =
                switch value {
                case .text(let text): text.withCString { sqlite3_bind_text(handle, index, $0, Int32(text.utf8.count), transient) }
                case .integer(let integer): sqlite3_bind_int64(handle, index, integer)
                case .real(let real): sqlite3_bind_double(handle, index, real)
                case .null: sqlite3_bind_null(handle, index)
                }
            guard code == SQLITE_OK else {
                clear()
                throw failure(code)
            }
        }
    }

    /// True when a row is ready to read, false when the statement is done.
    private func step() throws -> Bool {
        let code = sqlite3_step(sqliteStatement)
        if code == SQLITE_ROW { return true }
        if code == SQLITE_DONE { return false }
        throw failure(code)
    }

    /// Leaves the statement as GRDB expects to find it: reset, with nothing bound.
    private func clear() {
        sqlite3_reset(sqliteStatement)
        sqlite3_clear_bindings(sqliteStatement)
    }

    private func failure(_ code: Int32) -> DatabaseError {
        DatabaseError(
            resultCode: ResultCode(rawValue: code),
            message: String(cString: sqlite3_errmsg(sqlite3_db_handle(sqliteStatement))),
            sql: sql
        )
    }
}
