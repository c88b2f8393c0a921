/// A configuration that cannot be used, with the place it went wrong and what
/// was expected there.
///
/// Its description is the one line an operator sees from `ternd -n`:
///
///     tern.conf:12:18: expected a port number (1-65535) after 'port', found 'abc'
///
/// The parser recovers at the next statement after an error, so
/// ``Configuration/diagnose(text:fileName:hostname:)`` can list every error in
/// a file; ``Configuration/parse(text:fileName:hostname:)`` throws the first.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    /// What kind of mistake this is, for callers that treat some differently.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Code: Hashable, Sendable {
            case lexical
            case syntax
            case invalidValue
            case undefinedReference
            case duplicateDefinition
            case inconsistent
            case unreadableFile
        }

        private let code: Code

        private init(_ code: Code) {
            self.code = code
        }

        /// A character sequence that is not a token: an unterminated string, a bad escape, a stray control byte.
        public static let lexical = Kind(.lexical)
        /// Tokens in an order the grammar does not allow, including unknown keywords.
        public static let syntax = Kind(.syntax)
        /// A well-placed value that is malformed or out of range: a port of 70000, a size of `12Q`.
        public static let invalidValue = Kind(.invalidValue)
        /// A table, pki, action or macro that is used but never defined.
        public static let undefinedReference = Kind(.undefinedReference)
        /// A name or a setting defined twice.
        public static let duplicateDefinition = Kind(.duplicateDefinition)
        /// Statements that are each well-formed but contradict each other or can never take effect.
        public static let inconsistent = Kind(.inconsistent)
        /// The configuration file could not be read.
        public static let unreadableFile = Kind(.unreadableFile)

        /// A short lowercase name for logs.
        public var description: String {
            switch code {
            case .lexical: "lexical"
            case .syntax: "syntax"
            case .invalidValue: "invalid value"
            case .undefinedReference: "undefined reference"
            case .duplicateDefinition: "duplicate definition"
            case .inconsistent: "inconsistent"
            case .unreadableFile: "unreadable file"
            }
        }
    }

    /// The kind of mistake.
    public let kind: Kind
    /// Where it is.
    public let location: ConfigLocation
    /// What is wrong and, for syntax errors, what was expected instead.
    public let message: String
    /// The source file of Tern that raised the error, for bug reports.
    public let raisedInFileID: String
    /// The source line of Tern that raised the error, for bug reports.
    public let raisedOnLine: UInt

    /// Creates an error.
    public init(
        _ kind: Kind,
        at location: ConfigLocation,
        _ message: String,
        fileID: String = #fileID,
        line: UInt = #line
    ) {
        self.kind = kind
        self.location = location
        self.message = message
        self.raisedInFileID = fileID
        self.raisedOnLine = line
    }

    /// The configuration file's name as given.
    public var file: String { location.file }
    /// The 1-based line, or 0 for an error about the whole file.
    public var line: Int { location.line }
    /// The 1-based column, or 0 for an error about the whole file.
    public var column: Int { location.column }

    /// `file:line:column: message`.
    public var description: String {
        "\(location): \(message)"
    }
}
