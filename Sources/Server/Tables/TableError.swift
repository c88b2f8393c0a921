/// Why a table could not be loaded or reloaded.
public struct TableError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of problem.
    public enum Code: Hashable, Sendable {
        /// `reloadTable(named:)` for a name the configuration does not define.
        case unknownTable
        /// The file or database cannot be opened or read.
        case unreadable
        /// The file's contents do not follow the table format.
        case malformed
        /// The database refused a query.
        case database
    }

    /// The kind of problem.
    public let code: Code
    /// The table's name in the configuration.
    public let table: String
    /// What went wrong, naming the file (and line) where there is one.
    public let reason: String

    /// Creates an error.
    public init(_ code: Code, table: String, _ reason: String) {
        self.code = code
        self.table = table
        self.reason = reason
    }

    /// `table aliases: /etc/tern/aliases:3: …`.
    public var description: String { "table \(table): \(reason)" }
}
