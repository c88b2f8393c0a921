/// A table held in memory: the entries of `table t { … }` in the
/// configuration, or of a `file:` table as ``TableLoader`` read it. A map
/// answers every service with its value; a list answers membership services
/// with the entry itself and has no values for the others.
struct InlineTable: TableBackend {
    private let values: [String: String]
    private let networks: [IPNetmask]
    private let isList: Bool

    /// Indexes a list or map definition (keys lower-cased); a backend definition gives an empty table.
    init(_ definition: TableDefinition) {
        var values: [String: String] = [:]
        switch definition {
        case .list(let entries):
            for entry in entries { values[entry.lowercased()] = entry }
        case .map(let entries):
            for (key, value) in entries where values[key.lowercased()] == nil { values[key.lowercased()] = value }
        case .file, .sqlite:
            break
        }
        self.values = values
        if case .list = definition { isList = true } else { isList = false }
        self.networks = definition.inlineKeys.compactMap { IPNetmask($0) }
    }

    func lookup(_ key: String, service: TableService) -> String? {
        guard !isList || service.asksMembership else { return nil }
        return values[key.lowercased()]
    }

    func containsNetwork(_ address: String) -> Bool {
        guard let candidate = IPLiteral(address) else { return false }
        return networks.contains { $0.contains(candidate) }
    }
}
