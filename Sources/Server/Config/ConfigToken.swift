/// One token of the configuration language, with where it starts.
///
/// Keywords are unquoted ``Kind/word(_:)`` tokens; a quoted string is never a
/// keyword, so `"port"` is always a value.
struct ConfigToken: Hashable, Sendable {
    /// What the token is.
    enum Kind: Hashable, Sendable {
        /// An unquoted run of word characters: a keyword, a name, a number, an address, a path.
        case word(String)
        /// A double-quoted string with its escapes resolved.
        case string(String)
        /// A table reference `<name>`, holding the name.
        case tableReference(String)
        /// `{`
        case openBrace
        /// `}`
        case closeBrace
        /// `,`
        case comma
        /// `=`
        case equals
        /// `!`
        case bang
        /// The end of a statement: a newline outside braces.
        case endOfLine
        /// The end of the input.
        case endOfFile
        /// Characters that form no token; the message says why.
        case invalid(String)
    }

    /// What the token is.
    var kind: Kind
    /// Where its first character is.
    var location: ConfigLocation

    /// The longest token text a message repeats; longer text is cut with `…`.
    static let maximumQuotedLength = 60

    /// The token as an operator would name it in a message: `'port'`, `"a b"`, `'<t>'`, `end of line`.
    var quotedDescription: String {
        switch kind {
        case .word(let text): "'\(Self.shortened(text))'"
        case .string(let text): ConfigPrinter.quoted(Self.shortened(text))
        case .tableReference(let name): "'<\(name)>'"
        case .openBrace: "'{'"
        case .closeBrace: "'}'"
        case .comma: "','"
        case .equals: "'='"
        case .bang: "'!'"
        case .endOfLine: "end of line"
        case .endOfFile: "end of file"
        case .invalid: "an invalid token"
        }
    }

    private static func shortened(_ text: String) -> String {
        text.unicodeScalars.count <= maximumQuotedLength ? text : String(text.prefix(maximumQuotedLength)) + "…"
    }

    /// The text of a word or string token, which may stand for a value.
    var valueText: String? {
        switch kind {
        case .word(let text), .string(let text): text
        default: nil
        }
    }

    /// The text of an unquoted word, which may be a keyword.
    var keyword: String? {
        if case .word(let text) = kind { return text }
        return nil
    }

    /// Whether the token ends a statement.
    var endsStatement: Bool {
        kind == .endOfLine || kind == .endOfFile
    }
}
