import Testing

@testable import Server

@Suite("ConfigLexer")
struct ConfigLexerTests {
    struct Fixture: Sendable, CustomTestStringConvertible {
        let text: String
        let tokens: [ConfigToken.Kind]
        var testDescription: String { text.debugDescription }
    }

    static let fixtures: [Fixture] = [
        Fixture(text: "listen on ::1 port 25", tokens: [.word("listen"), .word("on"), .word("::1"), .word("port"), .word("25"), .endOfFile]),
        Fixture(text: "# only a comment\n\n\n", tokens: [.endOfFile]),
        Fixture(text: "a # comment\nb", tokens: [.word("a"), .endOfLine, .word("b"), .endOfFile]),
        Fixture(text: "a \\\n  b", tokens: [.word("a"), .word("b"), .endOfFile]),
        Fixture(text: "a \\  \t\r\nb", tokens: [.word("a"), .word("b"), .endOfFile]),
        Fixture(text: "a\r\nb\r\n", tokens: [.word("a"), .endOfLine, .word("b"), .endOfLine, .endOfFile]),
        Fixture(text: #""a \"b\" \\ \n\t" x"#, tokens: [.string("a \"b\" \\ \n\t"), .word("x"), .endOfFile]),
        Fixture(text: "\"#not a comment\"", tokens: [.string("#not a comment"), .endOfFile]),
        Fixture(text: "t { a, b = c }", tokens: [.word("t"), .openBrace, .word("a"), .comma, .word("b"), .equals, .word("c"), .closeBrace, .endOfFile]),
        Fixture(text: "t {\n a,\n # c\n b\n}\nx", tokens: [.word("t"), .openBrace, .word("a"), .comma, .word("b"), .closeBrace, .endOfLine, .word("x"), .endOfFile]),
        Fixture(text: "auth <secrets> <a.b-c_1>", tokens: [.word("auth"), .tableReference("secrets"), .tableReference("a.b-c_1"), .endOfFile]),
        Fixture(text: "! from !x a!b", tokens: [.bang, .word("from"), .bang, .word("x"), .word("a!b"), .endOfFile]),
        Fixture(text: "m=1", tokens: [.word("m"), .equals, .word("1"), .endOfFile]),
        Fixture(text: "/var/mail/%{user.username}/Maildir", tokens: [.word("/var/mail/%{user.username}/Maildir"), .endOfFile]),
        Fixture(text: "smtps://u@h:465 5m..1h 100/s file:/x", tokens: [.word("smtps://u@h:465"), .word("5m..1h"), .word("100/s"), .word("file:/x"), .endOfFile]),
        Fixture(text: "héllo.example", tokens: [.word("héllo.example"), .endOfFile]),
        Fixture(text: "\"unterminated\nx", tokens: [.invalid("unterminated string; expected '\"' before end of line"), .endOfLine, .word("x"), .endOfFile]),
        Fixture(text: "\"bad \\q escape\" x\ny", tokens: [.invalid("unknown escape sequence '\\q' in string; expected \\\" \\\\ \\n or \\t"), .endOfLine, .word("y"), .endOfFile]),
        Fixture(text: "a \\ b\nc", tokens: [.word("a"), .invalid("expected end of line after '\\' (line continuation)"), .endOfLine, .word("c"), .endOfFile]),
        Fixture(text: "<> x", tokens: [.invalid("expected a table name (letters, digits, '_', '-', '.') and '>' after '<'"), .word("x"), .endOfFile]),
        Fixture(text: "a > b", tokens: [.word("a"), .invalid("unexpected '>' without a matching '<'"), .word("b"), .endOfFile]),
        Fixture(text: "a\u{7}b", tokens: [.word("a"), .invalid("unexpected character U+0007"), .word("b"), .endOfFile]),
        Fixture(text: "\u{FEFF}a", tokens: [.word("a"), .endOfFile]),
        Fixture(text: "a\u{A0}b", tokens: [.word("a"), .invalid("unexpected character U+00A0"), .word("b"), .endOfFile]),
        Fixture(text: "x%{open", tokens: [.invalid("unterminated '%{' in word; expected '}'"), .endOfFile]),
    ]

    @Test("produces the expected tokens", arguments: fixtures)
    func tokens(_ fixture: Fixture) {
        let tokens = ConfigLexer.tokenize(fixture.text, file: "t.conf")
        #expect(tokens.map(\.kind) == fixture.tokens)
    }

    @Test("gives every token its file, line and column")
    func positions() {
        let text = "listen on 127.0.0.1 \\\n   port 25\n\ttable t { a,\n  b }\n"
        let tokens = ConfigLexer.tokenize(text, file: "tern.conf")
        let positions = tokens.map { "\($0.location)" }
        #expect(positions == [
            "tern.conf:1:1", "tern.conf:1:8", "tern.conf:1:11",
            "tern.conf:2:4", "tern.conf:2:9", "tern.conf:2:11",
            "tern.conf:3:2", "tern.conf:3:8", "tern.conf:3:10", "tern.conf:3:12", "tern.conf:3:13",
            "tern.conf:4:3", "tern.conf:4:5", "tern.conf:4:6", "tern.conf:5:1",
        ])
    }

    @Test("counts columns in Unicode scalars")
    func unicodeColumns() {
        let tokens = ConfigLexer.tokenize("\"ünï\" x", file: "f")
        #expect(tokens[1].location.column == 7)
    }
}
