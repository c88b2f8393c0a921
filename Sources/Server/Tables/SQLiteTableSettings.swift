import Foundation

/// Where an `sqlite:PATH` table's data is and which query answers each
/// service.
///
/// `PATH` is either the database itself or a settings file in the style of
/// OpenSMTPD's table-sqlite(5): `dbpath` and one `query_SERVICE` line per
/// service the table answers (`#` comments; a line starting with a blank
/// continues the query above):
///
///     # /etc/tern/vusers.sqlite.conf
///     dbpath /var/lib/tern/users.db
///     query_virtual  SELECT target FROM virtuals WHERE address = ?
///     query_userinfo SELECT uid, gid, home FROM users WHERE name = ?
///     query_domain   SELECT name FROM domains WHERE name = ?
///
/// Each query gets the key (lower-cased) as its one parameter `?`; a
/// `query_netaddr` may instead take none and list every netmask. A database
/// given directly answers every service from one table, `entries(key TEXT,
/// value TEXT)`, with ``defaultQuery``. Services are named as in
/// ``TableService``: `domain`, `alias`, `virtual`, `credentials`, `userinfo`,
/// `netaddr`, `mailaddr`.
struct SQLiteTableSettings: Hashable, Sendable {
    /// The query of a database given directly, for every service.
    static let defaultQuery = "SELECT value FROM entries WHERE key = ?"

    /// The database file.
    var databasePath: String
    /// The query for each service the table answers.
    var queries: [TableService: String]

    /// The settings for `path`: a database (it starts with SQLite's file
    /// header) answers every service with ``defaultQuery``; anything else is
    /// read as a settings file.
    static func load(path: String, table: String) throws(TableError) -> SQLiteTableSettings {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw TableError(.unreadable, table: table, "cannot read \(path)")
        }
        let head = (try? handle.read(upToCount: 16)) ?? Data()
        try? handle.close()
        if head == Data("SQLite format 3\0".utf8) {
            return SQLiteTableSettings(
                databasePath: path,
                queries: Dictionary(uniqueKeysWithValues: TableService.allCases.map { ($0, defaultQuery) })
            )
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw TableError(.unreadable, table: table, "cannot read \(path)")
        }
        return try parse(text, path: path, table: table)
    }

    /// The settings in a settings file's text; relative `dbpath`s are relative to the file.
    static func parse(_ text: String, path: String, table: String) throws(TableError) -> SQLiteTableSettings {
        guard case .map(let entries) = try TableLoader.parse(text, path: path, table: table) else {
            throw TableError(.malformed, table: table, "\(path): expected 'dbpath PATH' and 'query_SERVICE QUERY' lines")
        }
        var databasePath: String?
        var queries: [TableService: String] = [:]
        for (key, value) in entries {
            if key == "dbpath" {
                databasePath = value.hasPrefix("/") ? value : (path as NSString).deletingLastPathComponent + "/" + value
            } else if key.hasPrefix("query_"), let service = TableService(rawValue: String(key.dropFirst(6))) {
                queries[service] = value
            } else {
                let known = TableService.allCases.map { "query_\($0.rawValue)" }.joined(separator: ", ")
                throw TableError(.malformed, table: table, "\(path): unknown setting '\(key)'; expected dbpath or one of \(known)")
            }
        }
        guard let databasePath else {
            throw TableError(.malformed, table: table, "\(path): no 'dbpath' line naming the database")
        }
        guard !queries.isEmpty else {
            throw TableError(.malformed, table: table, "\(path): no 'query_SERVICE' line; the table would answer nothing")
        }
        return SQLiteTableSettings(databasePath: databasePath, queries: queries)
    }
}
