/// One loaded table: the entries of an inline or `file:` table in memory, or
/// an SQLite database queried per lookup. Keys compare without regard to case.
protocol TableBackend: Sendable {
    /// The value under `key` for `service`: a map's value, a list's entry
    /// itself, or nil when absent. Throws only when the backend cannot answer
    /// (a database error), which callers treat as temporary.
    func lookup(_ key: String, service: TableService) throws(TableError) -> String?

    /// Whether `address` is one of the table's addresses or inside one of its netmasks.
    func containsNetwork(_ address: String) throws(TableError) -> Bool
}
