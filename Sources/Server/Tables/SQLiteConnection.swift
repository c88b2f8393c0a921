import CSQLite
import Synchronization

/// One read-only SQLite connection, used by one lookup at a time.
final class SQLiteConnection: Sendable {
    private let handle: Mutex<OpaquePointer>
    private let table: String

    init(path: String, table: String) throws(TableError) {
        var db: OpaquePointer?
        let status = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, nil)
        guard status == SQLITE_OK, let db else {
            let reason = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(status))
            sqlite3_close_v2(db)
            throw TableError(.unreadable, table: table, "cannot open SQLite database \(path): \(reason)")
        }
        sqlite3_busy_timeout(db, 1000)
        self.handle = Mutex(db)
        self.table = table
    }

    deinit {
        handle.withLock { _ = sqlite3_close_v2($0) }
    }

    /// Throws when `query` does not compile against the database (a typo, a missing table).
    func check(_ query: String) throws(TableError) {
        let result: Result<Void, TableError> = handle.withLock { db in
            var statement: OpaquePointer?
            defer { sqlite3_finalize(statement) }
            guard sqlite3_prepare_v2(db, query, -1, &statement, nil) == SQLITE_OK else {
                return .failure(TableError(.database, table: table, "query '\(query)': \(String(cString: sqlite3_errmsg(db)))"))
            }
            return .success(())
        }
        try result.get()
    }

    /// The rows of `query` with `key` bound to its parameter, if it has one;
    /// each row is its non-NULL columns as text.
    func rows(_ query: String, key: String) throws(TableError) -> [[String]] {
        let result: Result<[[String]], TableError> = handle.withLock { db in
            var statement: OpaquePointer?
            defer { sqlite3_finalize(statement) }
            guard sqlite3_prepare_v2(db, query, -1, &statement, nil) == SQLITE_OK, let statement else {
                return .failure(failure(db, query))
            }
            if sqlite3_bind_parameter_count(statement) > 0 {
                let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
                guard sqlite3_bind_text(statement, 1, key, -1, transient) == SQLITE_OK else { return .failure(failure(db, query)) }
            }
            var rows: [[String]] = []
            while true {
                let step = sqlite3_step(statement)
                if step == SQLITE_DONE { break }
                guard step == SQLITE_ROW else { return .failure(failure(db, query)) }
                var row: [String] = []
                for column in 0..<sqlite3_column_count(statement) {
                    if let text = sqlite3_column_text(statement, column) {
                        row.append(String(cString: text))
                    }
                }
                rows.append(row)
            }
            return .success(rows)
        }
        return try result.get()
    }

    private func failure(_ db: OpaquePointer, _ query: String) -> TableError {
        TableError(.database, table: table, "query '\(query)': \(String(cString: sqlite3_errmsg(db)))")
    }
}
