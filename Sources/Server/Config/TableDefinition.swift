/// A `table` statement's contents: an inline list or map, or a backend and its path.
///
///     table domains { example.com, example.org }
///     table users { alice = alice@example.net, bob = "bob@x" }
///     table aliases file:/etc/tern/aliases
///     table vusers sqlite:/etc/tern/users.db
///
/// A bare path (`table aliases /etc/tern/aliases`) means `file:`. Tables are
/// used as sets (domains, addresses, netmasks, user names: their entries, or a
/// map's keys) and as maps (aliases, virtual users, credentials).
public enum TableDefinition: Hashable, Sendable {
    /// `{ a, b }`: a set of keys.
    case list([String])
    /// `{ k = v, … }`: keys with values.
    case map([String: String])
    /// `file:PATH`: a text file of entries, read by the table backend.
    case file(path: String)
    /// `sqlite:PATH`: an SQLite database, read by the table backend.
    case sqlite(path: String)

    /// Whether the entries are in the configuration itself.
    public var isInline: Bool {
        switch self {
        case .list, .map: true
        case .file, .sqlite: false
        }
    }

    /// The keys of an inline table (list entries or map keys); empty for backends.
    public var inlineKeys: [String] {
        switch self {
        case .list(let entries): entries
        case .map(let entries): entries.keys.sorted()
        case .file, .sqlite: []
        }
    }
}
