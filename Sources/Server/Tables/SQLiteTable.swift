/// An `sqlite:` table: each lookup runs the query configured for its service
/// (``SQLiteTableSettings``) on a read-only connection opened when the table
/// is loaded.
///
/// A query's rows make the answer: the columns of a row are joined with `:`
/// (so `SELECT uid, gid, home` gives `uid:gid:home`, the `userinfo` format),
/// except for `credentials`, where the last column is the password hash (so
/// `SELECT user, password` works too); several rows are joined with `, ` (an
/// alias or virtual list). No row means the key is absent. Lookups are
/// local-file reads, short enough to run where they are asked (at RCPT time
/// on an event loop); a failing query is an error callers treat as temporary.
struct SQLiteTable: TableBackend {
    private let connection: SQLiteConnection
    private let settings: SQLiteTableSettings
    private let table: String

    /// Opens the database of the table at `path` and checks every configured query.
    init(path: String, table: String) throws(TableError) {
        let settings = try SQLiteTableSettings.load(path: path, table: table)
        self.connection = try SQLiteConnection(path: settings.databasePath, table: table)
        self.settings = settings
        self.table = table
        for query in settings.queries.values {
            try connection.check(query)
        }
    }

    func lookup(_ key: String, service: TableService) throws(TableError) -> String? {
        guard let query = settings.queries[service] else { return nil }
        let rows = try connection.rows(query, key: key.lowercased())
        guard !rows.isEmpty else { return nil }
        if service.asksMembership { return rows[0].first ?? key }
        let values = rows.compactMap { row -> String? in
            if service == .credentials { return row.last }
            return row.isEmpty ? nil : row.joined(separator: ":")
        }
        return values.isEmpty ? nil : values.joined(separator: ", ")
    }

    func containsNetwork(_ address: String) throws(TableError) -> Bool {
        guard let query = settings.queries[.netaddr], let candidate = IPLiteral(address) else { return false }
        return try connection.rows(query, key: address).contains { row in
            row.first.flatMap { IPNetmask($0) }?.contains(candidate) ?? false
        }
    }
}
