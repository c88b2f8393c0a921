import Testing
import TestSupport

@testable import Server

/// Random and damaged input must never crash the parser, and whatever it
/// accepts must print and parse back to an equal configuration.
@Suite("ConfigParser fuzzing")
struct ConfigParserFuzzTests {
    /// Inputs that once broke something, kept so they stay fixed.
    static let regressions = [
        "table t {", "table t { a = }", "{", "}", "<", ">", "\\", "\"", "%{", "x%{", "!", "=", "a =", "= b",
        "match !", "listen on", "action a relay host smtps://@", "action a relay host smtp://[::1", "action a lmtp \"[::1]:\"",
        "queue retry ..", "queue retry 5m..", "limit default rate /s", "smtp max-message-size K",
        "listen on ::ffff:1.2.3.4.5", "match from src \"::/\"", "table t { a }\nmatch from src <t> reject",
        "x = \"$\"\nlisten on $x", "$ = 1", "listen on $", "\u{0}", "\u{FEFF}hostname a", "hostname \u{FFFD}",
        "action a maildir \"%{\"", "action a maildir \"%{user.username\"", "table t {\n\n\n",
    ]

    /// Words the generator strings into statements, most of them meaningful somewhere.
    static let vocabulary = [
        "hostname", "smtp", "pki", "table", "queue", "limit", "resolver", "metrics", "control", "bounce", "listen", "action", "match", "delivery", "priority", "idle", "low", "normal",
        "on", "port", "tls", "tls-require", "smtps", "auth", "auth-optional", "insecure", "mask-src", "tag", "T",
        "max-message-size", "limits", "recipients", "timeout", "command", "data", "reject-delay", "bare-lf", "reject", "normalize",
        "cert", "key", "path", "retry", "expire", "warn", "retention", "map-size", "domain", "default", "connections",
        "messages-per-connection", "rate", "unlimited", "system", "none", "socket", "warn-on-missing-notify", "yes", "no",
        "maildir", "mbox", "mda", "lmtp", "relay", "host", "backup", "mx", "helo", "src", "verify", "opportunistic",
        "alias", "virtual", "userbase", "forward-file", "rcpt-to", "from", "for", "any", "local", "mail-from", "rcpt",
        "127.0.0.1", "::1", "lo", "25", "2525", "0", "70000", "5m", "1h", "5m..1h", "1h..5m", "4d", "35M", "16G", "100/s",
        "p", "a", "x.example", "\"a\"", "\"x.example\"", "\"u@x.example\"", "\"192.0.2.0/24\"", "\"/var/mail\"",
        "\"127.0.0.1:24\"", "smtps://u@h.example", "file:/etc/t", "<t>", "<s>", "{", "}", ",", "=", "!", "$m", "m = 1",
        "\\\n", "#", "\n", "\n",
    ]

    private func check(_ text: String) {
        let errors = Configuration.diagnose(text: text, fileName: "fuzz", hostname: "fuzz.example")
        for error in errors {
            #expect(error.line >= 1 && error.column >= 1, "error without a position: \(error) for \(text.debugDescription)")
        }
        guard errors.isEmpty, let config = try? Configuration.parse(text: text, fileName: "fuzz", hostname: "fuzz.example") else { return }
        let printed = config.effectiveDescription
        do {
            let reparsed = try Configuration.parse(text: printed, fileName: "printed", hostname: "other.example")
            #expect(reparsed == config, "round trip differs for \(text.debugDescription)")
        } catch {
            Issue.record("printed configuration does not parse: \(error)\n--- input\n\(text)\n--- printed\n\(printed)")
        }
    }

    @Test("survives inputs that once broke something", arguments: regressions)
    func regression(_ text: String) {
        check(text)
    }

    @Test("survives random bytes")
    func randomBytes() {
        var generator = SeededGenerator(seed: 0x7E44)
        for _ in 0..<3000 {
            let count = Int.random(in: 0...200, using: &generator)
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            check(String(decoding: bytes, as: UTF8.self))
        }
    }

    @Test("survives random printable text")
    func randomText() {
        var generator = SeededGenerator(seed: 0x5EED)
        let alphabet = Array(" \t\n\\\"#{},<>=!$%:/.@-_0123456789abcdefghijklmnopqrstuvwxyzKMGsmhdw[]")
        for _ in 0..<3000 {
            let count = Int.random(in: 0...120, using: &generator)
            check(String((0..<count).map { _ in alphabet.randomElement(using: &generator) ?? " " }))
        }
    }

    @Test("survives every truncation of valid configurations", arguments: [
        ConfigFixtures.full, Configuration.embeddedDefaultText,
    ])
    func truncations(_ text: String) {
        let scalars = Array(text.unicodeScalars)
        for length in 0...scalars.count {
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[0..<length])
            check(String(view))
        }
    }

    @Test("survives random edits of a valid configuration")
    func mutations() {
        var generator = SeededGenerator(seed: 0xED17)
        let original = Array(ConfigFixtures.full.unicodeScalars)
        let noise = Array("\"\\{}<>=!#$,\n 0x".unicodeScalars)
        for _ in 0..<1500 {
            var scalars = original
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let index = Int.random(in: 0..<scalars.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: scalars.remove(at: index)
                case 1: scalars.insert(noise.randomElement(using: &generator) ?? " ", at: index)
                default: scalars[index] = noise.randomElement(using: &generator) ?? " "
                }
            }
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars)
            check(String(view))
        }
    }

    @Test("survives shuffled and reworded statements of valid configurations")
    func statementShuffle() {
        var generator = SeededGenerator(seed: 0x5A_FF1E)
        let pool = (ConfigFixtures.full + "\n" + ConfigPrinterTests.fixtures.map(\.text).joined(separator: "\n"))
            .replacing("\\\n", with: " ")
            .split(separator: "\n")
            .map(String.init)
        for _ in 0..<3000 {
            var lines = (0..<Int.random(in: 1...16, using: &generator)).map { _ in pool.randomElement(using: &generator) ?? "" }
            if Bool.random(using: &generator), let index = lines.indices.randomElement(using: &generator) {
                var words = lines[index].split(separator: " ").map(String.init)
                if let slot = words.indices.randomElement(using: &generator) {
                    words[slot] = Self.vocabulary.randomElement(using: &generator) ?? ""
                }
                lines[index] = words.joined(separator: " ")
            }
            check(lines.joined(separator: "\n"))
        }
    }

    @Test("survives statements strung from the language's own words")
    func wordSoup() {
        var generator = SeededGenerator(seed: 0x50_0B)
        for _ in 0..<4000 {
            let count = Int.random(in: 1...14, using: &generator)
            let words = (0..<count).map { _ in Self.vocabulary.randomElement(using: &generator) ?? "" }
            check(words.joined(separator: " "))
        }
    }
}
