/// A ``TableLookup`` over the inline tables of a configuration
/// (`table t { … }`). Tables with a `file:` or `sqlite:` backend, and unknown
/// tables, contain nothing here. (The daemon uses ``TableSet``, which loads
/// those too.)
public struct InMemoryTableLookup: TableLookup {
    private let tables: [String: InlineTable]

    /// Indexes the inline tables among `tables`.
    public init(tables: [String: TableDefinition]) {
        self.tables = tables.filter { $0.value.isInline }.mapValues { InlineTable($0) }
    }

    /// Indexes the inline tables of `configuration`.
    public init(_ configuration: Configuration) {
        self.init(tables: configuration.tables)
    }

    /// Whether the inline `table` holds `key` (a list entry or a map key), ignoring case.
    public func contains(table: String, key: String) -> Bool {
        tables[table]?.lookup(key, service: .mailaddr) != nil
    }

    /// Whether `address` is in one of the inline `table`'s netmasks.
    public func containsNetwork(table: String, address: String) -> Bool {
        tables[table]?.containsNetwork(address) ?? false
    }

    /// The value of `key` (ignoring case) in the inline map `table`.
    public func value(table: String, key: String) -> String? {
        tables[table]?.lookup(key, service: .credentials)
    }
}
