/// Splits configuration text into ``ConfigToken``s, each with its file, line and column.
///
/// The lexical rules, in the spirit of OpenSMTPD's `smtpd.conf`:
/// - The text is Unicode; a leading byte-order mark is ignored.
/// - One statement per line. A backslash followed only by blanks continues the
///   statement on the next line. Inside `{ … }` newlines do not end the statement,
///   so inline tables may span lines.
/// - `#` starts a comment that runs to the end of the line (outside quotes).
/// - A *word* is a run of characters other than white space, control characters
///   and `" # { } , < > = \`; a word may not start with `!`. A `%{…}` format
///   specifier is part of the word around it, so `/var/mail/%{user.username}` is one word.
/// - A *string* is double-quoted, on one line, with the escapes `\"`, `\\`,
///   `\n` and `\t`. Macros are not expanded inside strings.
/// - `<name>` is a table reference; `{`, `}`, `,`, `=` and `!` are punctuation.
///
/// The lexer never fails: characters that form no token become an
/// ``ConfigToken/Kind/invalid(_:)`` token carrying the reason, and lexing goes on
/// at the next plausible token. The parser reports it when it reaches it.
struct ConfigLexer {
    private let scalars: [Unicode.Scalar]
    private let file: String
    private var index = 0
    private var line = 1
    private var column = 1
    private var braceDepth = 0

    /// Prepares to lex `text`, naming `file` in every location.
    init(text: String, file: String) {
        var scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        self.scalars = scalars
        self.file = file
    }

    /// Lexes all of the input. The result always ends with one ``ConfigToken/Kind/endOfFile``,
    /// and consecutive line ends are folded into one.
    static func tokenize(_ text: String, file: String) -> [ConfigToken] {
        var lexer = ConfigLexer(text: text, file: file)
        var tokens: [ConfigToken] = []
        while true {
            let token = lexer.nextToken()
            if token.kind == .endOfLine, tokens.last.map({ $0.kind == .endOfLine }) ?? true {
                continue
            }
            tokens.append(token)
            if token.kind == .endOfFile { return tokens }
        }
    }

    /// Whether `scalar` may appear in an unquoted word.
    static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x21 || scalar.value == 0x7F { return false }
        if (0x80...0x9F).contains(scalar.value) || scalar.properties.isWhitespace { return false }
        switch scalar {
        case "\"", "#", "{", "}", ",", "<", ">", "=", "\\": return false
        default: return true
        }
    }

    /// Whether `scalar` may appear in a table name between `<` and `>`.
    static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "_", "-", ".": true
        default: false
        }
    }

    private var location: ConfigLocation {
        ConfigLocation(file: file, line: line, column: column)
    }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        let position = index + offset
        return position < scalars.count ? scalars[position] : nil
    }

    private mutating func advance() {
        guard index < scalars.count else { return }
        if scalars[index] == "\n" {
            line += 1
            column = 1
        } else {
            column += 1
        }
        index += 1
    }

    private static func isBlank(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\r"
    }

    /// The next token; after the end of input, ``ConfigToken/Kind/endOfFile`` again.
    mutating func nextToken() -> ConfigToken {
        while let scalar = peek() {
            if Self.isBlank(scalar) {
                advance()
            } else if scalar == "#" {
                skipComment()
            } else if scalar == "\n" && braceDepth > 0 {
                advance()
            } else {
                break
            }
        }
        let start = location
        guard let scalar = peek() else {
            return ConfigToken(kind: .endOfFile, location: start)
        }
        switch scalar {
        case "\n":
            advance()
            return ConfigToken(kind: .endOfLine, location: start)
        case "\\":
            return continuation(start: start)
        case "\"":
            return quotedString(start: start)
        case "<":
            return tableReference(start: start)
        case "{":
            advance()
            braceDepth += 1
            return ConfigToken(kind: .openBrace, location: start)
        case "}":
            advance()
            braceDepth = max(0, braceDepth - 1)
            return ConfigToken(kind: .closeBrace, location: start)
        case ",":
            advance()
            return ConfigToken(kind: .comma, location: start)
        case "=":
            advance()
            return ConfigToken(kind: .equals, location: start)
        case "!":
            advance()
            return ConfigToken(kind: .bang, location: start)
        case ">":
            advance()
            return ConfigToken(kind: .invalid("unexpected '>' without a matching '<'"), location: start)
        default:
            if Self.isWordScalar(scalar) {
                return word(start: start)
            }
            advance()
            return ConfigToken(kind: .invalid("unexpected character \(Self.describe(scalar))"), location: start)
        }
    }

    private mutating func skipComment() {
        while let scalar = peek(), scalar != "\n" {
            advance()
        }
    }

    /// `\` followed by blanks and a newline joins two lines; anything else after it is an error.
    private mutating func continuation(start: ConfigLocation) -> ConfigToken {
        advance()
        while let scalar = peek(), Self.isBlank(scalar) {
            advance()
        }
        switch peek() {
        case "\n":
            advance()
            return nextToken()
        case nil:
            return nextToken()
        default:
            skipToEndOfLine()
            return ConfigToken(
                kind: .invalid("expected end of line after '\\' (line continuation)"),
                location: start
            )
        }
    }

    private mutating func word(start: ConfigLocation) -> ConfigToken {
        var text = String.UnicodeScalarView()
        while let scalar = peek() {
            if scalar == "%" && peek(1) == "{" {
                guard let specifier = formatSpecifier() else {
                    skipToEndOfLine()
                    return ConfigToken(kind: .invalid("unterminated '%{' in word; expected '}'"), location: start)
                }
                text.append(contentsOf: specifier)
            } else if Self.isWordScalar(scalar) {
                text.append(scalar)
                advance()
            } else {
                break
            }
        }
        return ConfigToken(kind: .word(String(text)), location: start)
    }

    /// Consumes `%{name}` and returns it, or nil (consuming nothing) when it is not closed on this line.
    private mutating func formatSpecifier() -> [Unicode.Scalar]? {
        var offset = 2
        while let scalar = peek(offset), scalar != "}" {
            guard Self.isNameScalar(scalar) || scalar == ":" else { return nil }
            offset += 1
        }
        guard peek(offset) == "}" else { return nil }
        var result: [Unicode.Scalar] = []
        for _ in 0...offset {
            if let scalar = peek() { result.append(scalar) }
            advance()
        }
        return result
    }

    private mutating func quotedString(start: ConfigLocation) -> ConfigToken {
        advance()
        var text = String.UnicodeScalarView()
        while let scalar = peek() {
            switch scalar {
            case "\"":
                advance()
                return ConfigToken(kind: .string(String(text)), location: start)
            case "\n":
                return ConfigToken(
                    kind: .invalid("unterminated string; expected '\"' before end of line"),
                    location: start
                )
            case "\\":
                let escapeLocation = location
                advance()
                switch peek() {
                case "\"": text.append("\"")
                case "\\": text.append("\\")
                case "n": text.append("\n")
                case "t": text.append("\t")
                case nil, "\n":
                    return ConfigToken(
                        kind: .invalid("unterminated string; expected '\"' before end of line"),
                        location: start
                    )
                case let other?:
                    skipToEndOfLine()
                    return ConfigToken(
                        kind: .invalid("unknown escape sequence '\\\(Self.printable(other))' in string; expected \\\" \\\\ \\n or \\t"),
                        location: escapeLocation
                    )
                }
                advance()
            default:
                if scalar.value < 0x20 && scalar != "\t" || scalar.value == 0x7F {
                    let badLocation = location
                    skipToEndOfLine()
                    return ConfigToken(
                        kind: .invalid("unexpected character \(Self.describe(scalar)) in string"),
                        location: badLocation
                    )
                }
                text.append(scalar)
                advance()
            }
        }
        return ConfigToken(
            kind: .invalid("unterminated string; expected '\"' before end of file"),
            location: start
        )
    }

    private mutating func tableReference(start: ConfigLocation) -> ConfigToken {
        advance()
        var name = String.UnicodeScalarView()
        while let scalar = peek(), Self.isNameScalar(scalar) {
            name.append(scalar)
            advance()
        }
        guard !name.isEmpty, peek() == ">" else {
            while let scalar = peek(), Self.isWordScalar(scalar) || scalar == ">" {
                advance()
                if scalar == ">" { break }
            }
            return ConfigToken(
                kind: .invalid("expected a table name (letters, digits, '_', '-', '.') and '>' after '<'"),
                location: start
            )
        }
        advance()
        return ConfigToken(kind: .tableReference(String(name)), location: start)
    }

    private mutating func skipToEndOfLine() {
        while let scalar = peek(), scalar != "\n" {
            advance()
        }
    }

    private static func printable(_ scalar: Unicode.Scalar) -> String {
        scalar.value < 0x20 || scalar.value == 0x7F ? describe(scalar) : String(scalar)
    }

    /// `U+0007` style for characters that cannot be shown.
    static func describe(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        let padded = String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        if scalar.value >= 0x21 && scalar.value < 0x7F {
            return "'\(scalar)' (U+\(padded))"
        }
        return "U+\(padded)"
    }
}
