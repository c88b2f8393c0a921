/// Answers the table questions match rules ask. Keys compare without regard
/// to case.
///
/// ``InMemoryTableLookup`` answers from the inline tables of a configuration;
/// file and database backends implement this protocol too.
public protocol TableLookup: Sendable {
    /// Whether `table` holds `key`: a list entry or a map key.
    func contains(table: String, key: String) -> Bool

    /// Whether `address` (an IP address as text) lies in one of the addresses
    /// or netmasks (`192.0.2.0/24`, `::1`) that `table` holds.
    func containsNetwork(table: String, address: String) -> Bool

    /// The value stored under `key` in a map table, or nil.
    func value(table: String, key: String) -> String?
}
