/// Every table of a configuration, loaded: the daemon's ``TableLookup``.
///
/// Inline tables and `file:` tables are held in memory (a file is read when
/// the configuration is loaded, on SIGHUP and on `ternctl update table NAME`);
/// `sqlite:` tables query their database at each lookup. A value, not a
/// service: reloading one table makes a new set (``replacing(_:with:)``),
/// swapped in whole by the configuration store.
public struct TableSet: TableLookup {
    private var backends: [String: any TableBackend]

    /// Loads every table of `definitions`; the first table that cannot be loaded throws.
    public init(_ definitions: [String: TableDefinition]) throws(TableError) {
        backends = [:]
        for (name, definition) in definitions {
            backends[name] = try Self.backend(name, definition)
        }
    }

    private init(backends: [String: any TableBackend]) {
        self.backends = backends
    }

    /// The backend for one definition: files are read now, databases opened now.
    static func backend(_ name: String, _ definition: TableDefinition) throws(TableError) -> any TableBackend {
        switch definition {
        case .list, .map: InlineTable(definition)
        case .file(let path): InlineTable(try TableLoader.load(path: path, table: name))
        case .sqlite(let path): try SQLiteTable(path: path, table: name)
        }
    }

    /// This set with table `name` loaded afresh from `definition`.
    func replacing(_ name: String, with definition: TableDefinition) throws(TableError) -> TableSet {
        var copy = self
        copy.backends[name] = try Self.backend(name, definition)
        return copy
    }

    /// The value of `key` in `table` for `service`: nil when absent or when
    /// the table is not defined; a failure when the backend cannot answer now.
    public func lookup(table: String, key: String, service: TableService) -> Result<String?, TableError> {
        guard let backend = backends[table] else { return .success(nil) }
        do {
            return .success(try backend.lookup(key, service: service))
        } catch {
            return .failure(error)
        }
    }

    /// Whether `table` holds `key` (as a set of keys: domains, addresses, names).
    public func contains(table: String, key: String) -> Bool {
        contains(table: table, key: key, service: .mailaddr)
    }

    /// Whether `table` holds `key` for `service`; a backend that cannot answer holds nothing.
    public func contains(table: String, key: String, service: TableService) -> Bool {
        value(table: table, key: key, service: service) != nil
    }

    /// Whether `address` lies in one of `table`'s addresses or netmasks.
    public func containsNetwork(table: String, address: String) -> Bool {
        (try? backends[table]?.containsNetwork(address)) ?? false
    }

    /// The value of `key` in the map `table`, as for credentials.
    public func value(table: String, key: String) -> String? {
        value(table: table, key: key, service: .credentials)
    }

    /// The value of `key` in `table` for `service`; nil when absent or unanswerable.
    public func value(table: String, key: String, service: TableService) -> String? {
        (try? lookup(table: table, key: key, service: service).get()) ?? nil
    }
}
