import Envelope
import Testing

/// The error from parsing `text` as a bare mailbox, or nil if it parsed.
private func parseError(_ text: String, allowUTF8: Bool = false) -> MailAddressError? {
    do {
        _ = try MailAddress.parse(text[...], allowUTF8: allowUTF8)
        return nil
    } catch {
        return error
    }
}

private func labels(_ count: Int, totalLength: Int) -> String {
    // `count` labels of "a"s joined by dots, `totalLength` octets in all.
    let letters = totalLength - (count - 1)
    let base = letters / count
    let extra = letters % count
    return (0..<count).map { String(repeating: "a", count: base + ($0 < extra ? 1 : 0)) }.joined(separator: ".")
}

@Suite("MailAddress")
struct MailAddressTests {
    // MARK: Valid mailboxes

    @Test(
        "parses valid mailboxes into local part and domain",
        arguments: [
            ("alice@example.com", "alice", "example.com"),
            ("a@b", "a", "b"),
            ("first.last@example.com", "first.last", "example.com"),
            ("user+tag@example.com", "user+tag", "example.com"),
            ("!#$%&'*+-/=?^_`{|}~@example.com", "!#$%&'*+-/=?^_`{|}~", "example.com"),
            ("Alice.Smith@Example.COM", "Alice.Smith", "Example.COM"),
            ("user@localhost", "user", "localhost"),
            ("user@a-b.example", "user", "a-b.example"),
            ("user@a--b.example", "user", "a--b.example"),
            ("user@123.example", "user", "123.example"),
            ("user@xn--bcher-kva.example", "user", "xn--bcher-kva.example"),
            ("\"john smith\"@example.com", "john smith", "example.com"),
            ("\"a\\\"b\"@x.example", "a\"b", "x.example"),
            ("\"a\\\\b\"@x.example", "a\\b", "x.example"),
            ("\"\\a\"@x.example", "a", "x.example"),
            ("\"\"@x.example", "", "x.example"),
            ("\"a..b\"@x.example", "a..b", "x.example"),
            ("\".a\"@x.example", ".a", "x.example"),
            ("\"@\"@x.example", "@", "x.example"),
            ("\"<tricky>\"@x.example", "<tricky>", "x.example"),
            ("\"a,b;c:d\"@x.example", "a,b;c:d", "x.example"),
            ("user@[192.0.2.1]", "user", "[192.0.2.1]"),
            ("user@[IPv6:2001:db8::1]", "user", "[IPv6:2001:db8::1]"),
            ("user@[ipv6:::1]", "user", "[ipv6:::1]"),
            ("user@[x-tag:opaque-content]", "user", "[x-tag:opaque-content]"),
        ])
    func parsesValid(input: String, localPart: String, domain: String) throws {
        let address = try MailAddress.parse(input[...], allowUTF8: false)
        #expect(address.localPart == localPart)
        #expect(address.domain == domain)
    }

    @Test("keeps the local part's case but compares domains case-insensitively")
    func caseRules() throws {
        let upper = try MailAddress.parse("Bob@EXAMPLE.org", allowUTF8: false)
        let lower = try MailAddress.parse("Bob@example.org", allowUTF8: false)
        let otherLocal = try MailAddress.parse("bob@example.org", allowUTF8: false)
        #expect(upper == lower)
        #expect(upper.hashValue == lower.hashValue)
        #expect(upper != otherLocal)
        #expect(upper.normalizedDomain == "example.org")
    }

    @Test("parses a Substring that is a slice of a longer line")
    func parsesSlice() throws {
        let line = "RCPT TO:<bob@example.org> NOTIFY=NEVER"
        let start = line.index(line.startIndex, offsetBy: 9)
        let end = line.index(start, offsetBy: 15)
        let address = try MailAddress.parse(line[start..<end], allowUTF8: false)
        #expect(address == MailAddress(localPart: "bob", domain: "example.org"))
        #expect(parseError("bob@example.org>") != nil)
    }

    // MARK: Malformed mailboxes

    @Test(
        "refuses malformed mailboxes",
        arguments: [
            "", "@", "a", "a@", "@x.example", "a@b@c", ".a@x", "a.@x", "a..b@x", "a@-x", "a@x-", "a@x..y",
            "a@x.", "a@.x", "a b@x", "a@x y", " a@x", "a@x ", "\"a@x", "a\"@x", "\"a\"b@x", "a\"b\"@x",
            "\"a\\\"@x", "a@[1.2.3.4", "a@1.2.3.4]", "a@[]", "a@[:]", "a@[tag:]", "a@[tag-:x]",
            "a@[tag:a b]", "a@[tag:[x]]", "a@[300.1.1.1]", "a@[1.2.3]", "a@x_y", "a@x!y", "<a@x>", "a@x>",
            "a(comment)@x", "a@(x)", "a\t@x", "a@x\t", "a\\b@x", "a@x,y", "a:b@x", "a;b@x", "a@x;",
        ])
    func refusesMalformed(input: String) {
        #expect(parseError(input)?.kind == .malformed)
        #expect(parseError(input, allowUTF8: true)?.kind == .malformed)
    }

    @Test(
        "refuses control characters, NUL and line breaks anywhere",
        arguments: [
            "a\u{0}@x", "a@x\u{0}", "\u{0}", "\"a\u{0}\"@x", "a\r\n@x", "a@x\r\nRCPT TO:<evil@x>", "a@x\n",
            "\"a\rb\"@x", "\"a\nb\"@x", "\"a\\\r\"@x", "\"a\\\u{7F}\"@x", "a\u{7F}@x", "\"a\u{7F}\"@x", "a\u{1B}@x",
        ])
    func refusesControls(input: String) {
        #expect(parseError(input)?.kind == .malformed)
        #expect(parseError(input, allowUTF8: true)?.kind == .malformed)
    }

    @Test(
        "reports a reason and the octet offset of the problem",
        arguments: [
            ("a..b@x", "consecutive dots", 2),
            (".a@x", "local part starts with a dot", 0),
            ("a.@x", "local part ends with a dot", 1),
            ("a@-x", "domain label starts with a hyphen", 2),
            ("a@x-", "domain label ends with a hyphen", 3),
            ("a@x..y", "empty domain label", 4),
            ("a@x.", "domain ends with a dot", 3),
            ("\"abc@x", "unterminated quoted string", 0),
            ("a@[1.2.3.4", "unterminated address literal", 2),
            ("a@[1.2.3.999]", "invalid address literal", 3),
            ("ab", "end of input where \"@\" expected", 2),
            ("a b@x", "space where \"@\" expected", 1),
            ("a@x\u{0}", "NUL where end of address expected", 3),
            ("a\r\n@x", "line break where \"@\" expected", 1),
        ])
    func reportsReasonAndOffset(input: String, reason: String, offset: Int) {
        let error = parseError(input)
        #expect(error?.reason == reason)
        #expect(error?.offset == offset)
    }

    // MARK: Limits (RFC 5321 §4.5.3.1)

    @Test("accepts a local part of exactly 64 octets and refuses 65")
    func localPartLimit() {
        #expect(parseError(String(repeating: "a", count: 64) + "@x") == nil)
        let error = parseError(String(repeating: "a", count: 65) + "@x")
        #expect(error?.kind == .tooLong)
        #expect(error?.limit == .localPart)
    }

    @Test("counts a quoted local part's quotes and backslashes against the 64 octets")
    func quotedLocalPartLimit() {
        #expect(parseError("\"" + String(repeating: "a", count: 62) + "\"@x") == nil)
        #expect(parseError("\"" + String(repeating: "a", count: 63) + "\"@x")?.limit == .localPart)
        #expect(parseError("\"" + String(repeating: "\\a", count: 31) + "\"@x") == nil)
        #expect(parseError("\"" + String(repeating: "\\a", count: 32) + "\"@x")?.limit == .localPart)
    }

    @Test("accepts a domain label of exactly 63 octets and refuses 64")
    func labelLimit() {
        #expect(parseError("a@" + String(repeating: "b", count: 63) + ".example") == nil)
        let error = parseError("a@" + String(repeating: "b", count: 64) + ".example")
        #expect(error?.kind == .tooLong)
        #expect(error?.limit == .domainLabel)
    }

    @Test("refuses a domain over 255 octets, and a 255-octet one breaks the path limit")
    func domainLimit() {
        let domain255 = labels(5, totalLength: 255)
        let domain256 = labels(5, totalLength: 256)
        #expect(domain255.utf8.count == 255)
        #expect(parseError("a@" + domain256)?.limit == .domain)
        #expect(parseError("a@" + domain255)?.limit == .path)
    }

    @Test("accepts a bare mailbox of 254 octets (a 256-octet path) and refuses 255")
    func pathLimit() {
        let local = String(repeating: "l", count: 64)
        let at254 = local + "@" + labels(3, totalLength: 189)
        let at255 = local + "@" + labels(3, totalLength: 190)
        #expect(at254.utf8.count == 254)
        #expect(parseError(at254) == nil)
        #expect(parseError(at255)?.limit == .path)
    }

    @Test("checks syntax before limits and limits before UTF-8", arguments: [true, false])
    func errorPrecedence(allowUTF8: Bool) {
        let long = String(repeating: "ö", count: 40) + "@x"
        #expect(parseError(long, allowUTF8: allowUTF8)?.limit == .localPart)
        let malformedLong = String(repeating: "a", count: 100) + "..b@x"
        #expect(parseError(malformedLong, allowUTF8: allowUTF8)?.kind == .malformed)
        #expect(parseError("jö..rg@x", allowUTF8: allowUTF8)?.kind == .malformed)
    }

    @Test("limits are the RFC 5321 §4.5.3.1 octet counts")
    func limitValues() {
        #expect(MailAddressError.Limit.localPart.octets == 64)
        #expect(MailAddressError.Limit.domainLabel.octets == 63)
        #expect(MailAddressError.Limit.domain.octets == 255)
        #expect(MailAddressError.Limit.path.octets == 256)
    }

    // MARK: UTF-8 (RFC 6531)

    @Test(
        "accepts non-ASCII mailboxes only with SMTPUTF8",
        arguments: [
            ("jörg@example.com", 1),
            ("user@bücher.example", 6),
            ("\"jö rg\"@example.com", 2),
            ("用户@例子.广告", 0),
            ("δοκιμή@παράδειγμα.δοκιμή", 0),
            ("😀@example.com", 0),
            ("a.ü@example.com", 2),
        ])
    func utf8(input: String, firstNonASCII: Int) throws {
        let address = try MailAddress.parse(input[...], allowUTF8: true)
        #expect(address.requiresSMTPUTF8)
        let error = parseError(input, allowUTF8: false)
        #expect(error?.kind == .utf8NotPermitted)
        #expect(error?.offset == firstNonASCII)
    }

    @Test(
        "refuses non-ASCII controls, separators and U+FFFD even with SMTPUTF8",
        arguments: ["a\u{85}@x", "a\u{A0}b@x", "a@x\u{2028}y", "\u{FFFD}@x", "a@\u{3000}x", "\"a\u{85}\"@x"])
    func refusesNonASCIIControls(input: String) {
        #expect(parseError(input, allowUTF8: true)?.kind == .malformed)
    }

    @Test("refuses non-ASCII inside an address literal and in quoted-pairs")
    func nonASCIIInLiteralOrPair() {
        #expect(parseError("a@[1.2.3.ü]", allowUTF8: true)?.kind == .malformed)
        #expect(parseError("\"\\ü\"@x", allowUTF8: true)?.kind == .malformed)
    }

    @Test("counts a U-label's UTF-8 octets against the 63-octet label limit")
    func utf8LabelLimit() {
        #expect(parseError("a@" + String(repeating: "ü", count: 31) + "b", allowUTF8: true) == nil)
        #expect(parseError("a@" + String(repeating: "ü", count: 32), allowUTF8: true)?.limit == .domainLabel)
    }

    // MARK: Formatting and round trips

    @Test(
        "writes the local part quoted only when it is not a Dot-string",
        arguments: [
            ("alice", "example.com", "alice@example.com"),
            ("first.last", "example.com", "first.last@example.com"),
            ("john smith", "example.com", "\"john smith\"@example.com"),
            ("a\"b", "x", "\"a\\\"b\"@x"),
            ("a\\b", "x", "\"a\\\\b\"@x"),
            ("", "x", "\"\"@x"),
            ("a..b", "x", "\"a..b\"@x"),
            (".a", "x", "\".a\"@x"),
            ("a.", "x", "\"a.\"@x"),
            ("a@b", "x", "\"a@b\"@x"),
            ("jörg", "bücher.example", "jörg@bücher.example"),
            ("user", "[IPv6:2001:db8::1]", "user@[IPv6:2001:db8::1]"),
            ("postmaster", "", "postmaster"),
        ])
    func description(localPart: String, domain: String, expected: String) {
        let address = MailAddress(localPart: localPart, domain: domain)
        #expect(address.description == expected)
        #expect(address.wireForm == "<" + expected + ">")
    }

    @Test(
        "parses its own description back to an equal address",
        arguments: [
            "alice@example.com", "\"john smith\"@example.com", "\"a\\\"b\"@x", "\"a\\\\b\"@x", "\"\"@x",
            "\"abc\"@x", "\"\\a\\b\"@x", "user@[192.0.2.1]", "user@[IPv6:::ffff:192.0.2.1]", "jörg@bücher.example",
            "\"jö rg\"@x", "\"(x)\"@y",
        ])
    func roundTrip(input: String) throws {
        let address = try MailAddress.parse(input[...], allowUTF8: true)
        let again = try MailAddress.parse(address.description[...], allowUTF8: true)
        #expect(again == address)
        #expect(again.localPart == address.localPart)
        #expect(again.domain == address.domain)
    }

    @Test("reports whether the domain is an address literal")
    func addressLiteralFlag() throws {
        #expect(try MailAddress.parse("a@[192.0.2.1]", allowUTF8: false).isAddressLiteral)
        #expect(try !MailAddress.parse("a@example.com", allowUTF8: false).isAddressLiteral)
        #expect(try !MailAddress.parse("a@example.com", allowUTF8: false).requiresSMTPUTF8)
    }
}
