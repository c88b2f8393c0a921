/// Answers the table questions match rules and actions ask. Keys compare
/// without regard to case.
///
/// ``InMemoryTableLookup`` answers from the inline tables of a configuration;
/// the daemon's ``TableSet`` answers from every backend (inline, `file:`,
/// `sqlite:`). The `service:` variants name the question (OpenSMTPD's lookup
/// services) for backends whose answer depends on it, such as an SQLite table
/// with one query per service; the others ignore it.
public protocol TableLookup: Sendable {
    /// Whether `table` holds `key`: a list entry or a map key.
    func contains(table: String, key: String) -> Bool

    /// Whether `address` (an IP address as text) lies in one of the addresses
    /// or netmasks (`192.0.2.0/24`, `::1`) that `table` holds.
    func containsNetwork(table: String, address: String) -> Bool

    /// The value stored under `key` in a map table, or nil.
    func value(table: String, key: String) -> String?

    /// Whether `table` holds `key` when asked for `service`.
    func contains(table: String, key: String, service: TableService) -> Bool

    /// The value of `key` in `table` when asked for `service`, or nil.
    func value(table: String, key: String, service: TableService) -> String?
}

extension TableLookup {
    /// ``contains(table:key:)``: the same answer for every service.
    public func contains(table: String, key: String, service: TableService) -> Bool {
        contains(table: table, key: key)
    }

    /// ``value(table:key:)``: the same answer for every service.
    public func value(table: String, key: String, service: TableService) -> String? {
        value(table: table, key: key)
    }
}
