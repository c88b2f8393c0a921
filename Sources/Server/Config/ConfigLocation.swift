/// A position in a configuration file: the file name as given, a 1-based line
/// and a 1-based column counted in Unicode scalars (a tab counts as one).
///
/// Every token the lexer produces carries one, and every ``ConfigError`` names
/// one, so an operator can jump straight to the offending character:
///
///     tern.conf:12:18
public struct ConfigLocation: Hashable, Sendable, CustomStringConvertible {
    /// The file name as passed to the parser (for ``Configuration/load(path:hostname:)``, the path).
    public var file: String
    /// The line, starting at 1; 0 when the error concerns the file as a whole.
    public var line: Int
    /// The column, starting at 1; 0 when the error concerns the file as a whole.
    public var column: Int

    /// Creates a location.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`, or just `file` for a whole-file location.
    public var description: String {
        line > 0 ? "\(file):\(line):\(column)" : file
    }
}
