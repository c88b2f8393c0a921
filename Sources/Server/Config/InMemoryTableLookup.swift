/// A ``TableLookup`` over the inline tables of a configuration
/// (`table t { … }`). Tables with a `file:` or `sqlite:` backend, and unknown
/// tables, contain nothing here.
public struct InMemoryTableLookup: TableLookup {
    private let keys: [String: Set<String>]
    private let values: [String: [String: String]]
    private let networks: [String: [IPNetmask]]

    /// Indexes the inline tables among `tables`.
    public init(tables: [String: TableDefinition]) {
        var keys: [String: Set<String>] = [:]
        var values: [String: [String: String]] = [:]
        var networks: [String: [IPNetmask]] = [:]
        for (name, table) in tables where table.isInline {
            keys[name] = Set(table.inlineKeys.map { $0.lowercased() })
            networks[name] = table.inlineKeys.compactMap { IPNetmask($0) }
            if case .map(let entries) = table {
                values[name] = Dictionary(entries.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
            }
        }
        self.keys = keys
        self.values = values
        self.networks = networks
    }

    /// Indexes the inline tables of `configuration`.
    public init(_ configuration: Configuration) {
        self.init(tables: configuration.tables)
    }

    /// Whether the inline `table` holds `key`, ignoring case.
    public func contains(table: String, key: String) -> Bool {
        keys[table]?.contains(key.lowercased()) ?? false
    }

    /// Whether `address` is in one of the inline `table`'s netmasks.
    public func containsNetwork(table: String, address: String) -> Bool {
        guard let candidate = IPLiteral(address), let masks = networks[table] else { return false }
        return masks.contains { $0.contains(candidate) }
    }

    /// The value of `key` (ignoring case) in the inline map `table`.
    public func value(table: String, key: String) -> String? {
        values[table]?[key.lowercased()]
    }
}
