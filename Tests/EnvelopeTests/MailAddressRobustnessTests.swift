import Envelope
import Testing
import TestSupport

private enum Parser: CaseIterable, Sendable {
    case mailbox, reversePath, forwardPath

    func error(_ text: Substring, allowUTF8: Bool) -> MailAddressError? {
        do {
            switch self {
            case .mailbox: _ = try MailAddress.parse(text, allowUTF8: allowUTF8)
            case .reversePath: _ = try ReversePath.parse(text, allowUTF8: allowUTF8)
            case .forwardPath: _ = try MailAddress.parseForwardPath(text, allowUTF8: allowUTF8)
            }
            return nil
        } catch {
            return error
        }
    }

    /// Parses `text`; if it parses, checks that the written form parses back to the same value.
    func checkRoundTrip(_ text: Substring, allowUTF8: Bool) {
        do {
            switch self {
            case .mailbox:
                let address = try MailAddress.parse(text, allowUTF8: allowUTF8)
                #expect(try MailAddress.parse(address.description[...], allowUTF8: allowUTF8) == address)
            case .reversePath:
                let path = try ReversePath.parse(text, allowUTF8: allowUTF8)
                #expect(try ReversePath.parse(path.wireForm[...], allowUTF8: allowUTF8) == path)
            case .forwardPath:
                let address = try MailAddress.parseForwardPath(text, allowUTF8: allowUTF8)
                #expect(try MailAddress.parseForwardPath(address.wireForm[...], allowUTF8: allowUTF8) == address)
            }
        } catch {
            #expect(error.description.utf8.allSatisfy { (0x20...0x7E).contains($0) })
        }
    }
}

@Suite("MailAddress robustness")
struct MailAddressRobustnessTests {
    @Test(
        "gives the right error kind for hostile mailboxes",
        arguments: [
            ("a\u{0}b@x", MailAddressError.Kind.malformed),
            ("a@x\r\nMAIL FROM:<evil@x>", .malformed),
            ("a@x\n", .malformed),
            ("\"unbalanced@x", .malformed),
            ("unbalanced\"@x", .malformed),
            ("a@[192.0.2.1", .malformed),
            ("a@192.0.2.1]", .malformed),
            ("a..b@x", .malformed),
            (".a@x", .malformed),
            ("a@-x", .malformed),
            ("a@x-", .malformed),
            ("a@" + String(repeating: "x", count: 64), .tooLong),
            ("", .malformed),
            ("@", .malformed),
            ("@@@@", .malformed),
            ("\"", .malformed),
            ("\\", .malformed),
            ("[", .malformed),
            ("a@[", .malformed),
            ("a@[]]", .malformed),
            ("ö@x", .utf8NotPermitted),
        ])
    func hostileMailboxes(input: String, kind: MailAddressError.Kind) {
        #expect(Parser.mailbox.error(input[...], allowUTF8: false)?.kind == kind)
        // `<>` is the null reverse path, so the empty mailbox is valid there.
        let reverseKind = input.isEmpty ? nil : kind
        #expect(Parser.reversePath.error(("<" + input + ">")[...], allowUTF8: false)?.kind == reverseKind)
        #expect(Parser.forwardPath.error(("<" + input + ">")[...], allowUTF8: false)?.kind == kind)
    }

    @Test(
        "handles 10 KB inputs without trouble",
        arguments: [
            (String(repeating: "a", count: 10_240), MailAddressError.Kind.malformed),
            (String(repeating: "a", count: 10_240) + "@x", .tooLong),
            ("a@" + String(repeating: "b", count: 10_240), .tooLong),
            ("a@" + String(repeating: "b.", count: 5_120) + "c", .tooLong),
            ("\"" + String(repeating: "q", count: 10_240) + "\"@x", .tooLong),
            (String(repeating: "\"", count: 10_240), .malformed),
            (String(repeating: "\\", count: 10_240), .malformed),
            (String(repeating: "@", count: 10_240), .malformed),
            (String(repeating: "<", count: 10_240), .malformed),
            (String(repeating: ".", count: 10_240), .malformed),
            (String(repeating: "\u{0}", count: 10_240), .malformed),
            (String(repeating: "\r\n", count: 5_120), .malformed),
            ("a@[" + String(repeating: "1", count: 10_240) + "]", .malformed),
            ("a@[IPv6:" + String(repeating: "1:", count: 5_120) + "1]", .malformed),
            (String(repeating: "ö", count: 5_120) + "@x", .tooLong),
        ])
    func largeInputs(input: String, kind: MailAddressError.Kind) {
        #expect(Parser.mailbox.error(input[...], allowUTF8: true)?.kind == kind)
        #expect(Parser.reversePath.error(("<" + input + ">")[...], allowUTF8: true)?.kind == kind)
    }

    @Test("never crashes on random bytes, and whatever parses round-trips", arguments: Parser.allCases)
    fileprivate func randomBytes(parser: Parser) {
        var generator = SeededGenerator(seed: 0x7E54)
        for _ in 0..<2_000 {
            let length = Int.random(in: 0...300, using: &generator)
            let text = String(decoding: generator.bytes(length), as: UTF8.self)
            parser.checkRoundTrip(text[...], allowUTF8: Bool.random(using: &generator))
        }
    }

    @Test("never crashes on random mixes of delimiters, and whatever parses round-trips", arguments: Parser.allCases)
    fileprivate func randomGrammarSoup(parser: Parser) {
        let pieces = [
            "a", "Z", "0", ".", "@", "\"", "\\", "<", ">", "[", "]", ":", ",", " ", "-", "ö", "IPv6:", "1.2.3.4",
            "::", "\u{0}", "\r", "\n", "postmaster", "+", "=", "'", "(", ")", "\u{85}", "😀",
        ]
        var generator = SeededGenerator(seed: 0x5EED)
        var parsed = 0
        for _ in 0..<5_000 {
            var text = parser == .mailbox ? "" : "<"
            for _ in 0..<Int.random(in: 0...12, using: &generator) {
                text += pieces.randomElement(using: &generator) ?? ""
            }
            if parser != .mailbox { text += ">" }
            if parser.error(text[...], allowUTF8: true) == nil { parsed += 1 }
            parser.checkRoundTrip(text[...], allowUTF8: true)
            parser.checkRoundTrip(text[...], allowUTF8: false)
        }
        #expect(parsed > 0)
    }

    @Test("parses every prefix of a valid path without crashing")
    func prefixes() {
        let path = "<@a.example,@b.example:\"john \\\"q\\\" smith\"@[IPv6:2001:db8::192.0.2.1]>"
        for end in path.indices {
            let prefix = path[..<end]
            #expect(Parser.reversePath.error(prefix, allowUTF8: false)?.kind == .malformed)
        }
        #expect(Parser.reversePath.error(path[...], allowUTF8: false) == nil)
    }
}
