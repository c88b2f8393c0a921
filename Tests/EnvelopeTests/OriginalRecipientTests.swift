import Envelope
import Testing
import TestSupport

private func orcptError(_ value: String) -> DSNParameterError? {
    do {
        _ = try OriginalRecipient.parse(value[...])
        return nil
    } catch {
        return error
    }
}

@Suite("OriginalRecipient")
struct OriginalRecipientTests {
    @Test(
        "parses addr-type ; xtext",
        arguments: [
            ("rfc822;bob@example.org", "rfc822", "bob@example.org"),
            ("rfc822;bob+2Bsmtp@example.org", "rfc822", "bob+smtp@example.org"),
            ("RFC822;a+20b@x", "RFC822", "a b@x"),
            ("rfc822;+22john+20smith+22@example.org", "rfc822", "\"john smith\"@example.org"),
            ("x-local;12345", "x-local", "12345"),
            ("rfc822;a;b", "rfc822", "a;b"),
        ])
    func parsesXText(value: String, type: String, address: String) throws {
        let original = try OriginalRecipient.parse(value[...])
        #expect(original == OriginalRecipient(addressType: type, address: address))
    }

    @Test(
        "parses the utf-8 address type's xtext, unitext and raw forms (RFC 6533)",
        arguments: [
            ("utf-8;j\\x{F6}rg@example.org", "jörg@example.org"),
            ("utf-8;j\\x{f6}rg@example.org", "jörg@example.org"),
            ("utf-8;jörg@example.org", "jörg@example.org"),
            ("UTF-8;\\x{1F600}@example.org", "😀@example.org"),
            ("utf-8;\\x{7528}\\x{6237}@\\x{4F8B}\\x{5B50}.\\x{5E7F}\\x{544A}", "用户@例子.广告"),
            ("utf-8;a\\x{5C}b@x", "a\\b@x"),
            ("utf-8;a\\x{2B}b@x", "a+b@x"),
            ("utf-8;a+b@x", "a+b@x"),
            ("utf-8;a\\x{3D}b@x", "a=b@x"),
            ("utf-8;\\x{22}a\\x{20}b\\x{22}@x", "\"a b\"@x"),
            ("utf-8;\\x{10FFFF}", "\u{10FFFF}"),
        ])
    func parsesUTF8(value: String, address: String) throws {
        #expect(try OriginalRecipient.parse(value[...]).address == address)
    }

    @Test(
        "refuses malformed values, with offsets into the whole value",
        arguments: [
            ("", nil as Int?), ("rfc822", nil), (";bob@x", nil), ("rfc 822;bob@x", nil), ("rfc822;", nil),
            ("rfc<822>;bob", nil), ("rfc822;a+2", 8), ("rfc822;a b", 8), ("rfc822;a=b", 8), ("rfc822;a+0Db", nil),
            ("rfc822;+C3+B6", nil), ("rfc822;+FF", nil), ("rfc822;jörg@x", 8), ("utf-8;\\x{0}", 6),
            ("utf-8;\\x{00}", 6), ("utf-8;\\x{D800}", 6), ("utf-8;\\x{110000}", 6), ("utf-8;\\x{1234567}", 6),
            ("utf-8;\\x{}", 6), ("utf-8;\\x{4}", 6), ("utf-8;a\\x{41", 7), ("utf-8;\\y{41}", 6), ("utf-8;a\\", 7),
            ("utf-8;a=b", 7), ("utf-8;a b", 7), ("utf-8;a\u{85}", 7), ("utf-8;\r\n", 6), ("utf-8;", nil),
        ])
    func refuses(value: String, offset: Int?) {
        let error = orcptError(value)
        #expect(error?.kind == .malformed)
        #expect(error?.offset == offset)
        #expect(error?.parameter == .orcpt)
        #expect(error?.description.hasPrefix("Invalid ORCPT: ") == true)
    }

    @Test("accepts a value of exactly 500 octets and refuses 501")
    func lengthLimit() {
        let prefix = "rfc822;"
        #expect(orcptError(prefix + String(repeating: "a", count: 500 - prefix.count)) == nil)
        let error = orcptError(prefix + String(repeating: "a", count: 501 - prefix.count))
        #expect(error?.kind == .tooLong)
        #expect(error?.description == "Invalid ORCPT: longer than 500 characters")
    }

    @Test(
        "re-encodes as xtext, or as 7-bit utf-8-addr-xtext for utf-8",
        arguments: [
            ("rfc822", "bob+smtp@example.org", "rfc822;bob+2Bsmtp@example.org"),
            ("rfc822", "a b=c", "rfc822;a+20b+3Dc"),
            ("utf-8", "jörg@example.org", "utf-8;j\\x{F6}rg@example.org"),
            ("UTF-8", "😀@x", "UTF-8;\\x{1F600}@x"),
            ("utf-8", "a+b=c\\d e", "utf-8;a\\x{2B}b\\x{3D}c\\x{5C}d\\x{20}e"),
            ("utf-8", "\u{1}", "utf-8;\\x{01}"),
        ])
    func parameterValue(type: String, address: String, expected: String) throws {
        let original = OriginalRecipient(addressType: type, address: address)
        #expect(original.parameterValue == expected)
        #expect(try OriginalRecipient.parse(expected[...]) == original)
        #expect(expected.utf8.allSatisfy { (0x21...0x7E).contains($0) })
    }

    @Test("round-trips random printable ASCII rfc822 addresses and random utf-8 addresses")
    func randomRoundTrip() throws {
        var generator = SeededGenerator(seed: 6533)
        let scalars: [Unicode.Scalar] = ["a", "+", "=", "\\", " ", "@", "ö", "😀", "\"", "<", "~", "!", "用"]
        for _ in 0..<300 {
            let count = Int.random(in: 1...30, using: &generator)
            let ascii = String(
                (0..<count).map { _ in Character(UnicodeScalar(UInt8.random(in: 0x20...0x7E, using: &generator))) })
            let rfc822 = OriginalRecipient(addressType: "rfc822", address: ascii)
            #expect(try OriginalRecipient.parse(rfc822.parameterValue[...]) == rfc822)
            var unicode = String.UnicodeScalarView()
            for _ in 0..<count { unicode.append(scalars.randomElement(using: &generator) ?? "a") }
            let utf8 = OriginalRecipient(addressType: "utf-8", address: String(unicode))
            #expect(try OriginalRecipient.parse(utf8.parameterValue[...]) == utf8)
        }
    }
}
