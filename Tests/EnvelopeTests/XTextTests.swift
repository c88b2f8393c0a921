import Envelope
import Testing
import TestSupport

private func decodeError(_ text: String) -> DSNParameterError? {
    do {
        _ = try XText.decodeBytes(text[...])
        return nil
    } catch {
        return error
    }
}

@Suite("XText")
struct XTextTests {
    @Test(
        "encodes +, =, space, controls and non-ASCII as upper-case +XX",
        arguments: [
            ("", ""),
            ("abc", "abc"),
            ("a+b", "a+2Bb"),
            ("a=b", "a+3Db"),
            ("a b", "a+20b"),
            ("\r\n", "+0D+0A"),
            ("\u{0}", "+00"),
            ("\u{7F}", "+7F"),
            ("!~", "!~"),
            ("<bob@example.org>", "<bob@example.org>"),
            ("ö", "+C3+B6"),
            ("+++", "+2B+2B+2B"),
        ])
    func encodes(plain: String, encoded: String) throws {
        #expect(XText.encode(plain) == encoded)
        #expect(try XText.decode(encoded[...]) == plain)
    }

    @Test(
        "decodes hexchars, accepting lower-case hex digits",
        arguments: [
            ("a+2Bb", "a+b"),
            ("a+2bb", "a+b"),
            ("+41+42+43", "ABC"),
            ("+c3+b6", "ö"),
            ("+C3+b6", "ö"),
            ("QQ314159", "QQ314159"),
        ])
    func decodes(encoded: String, plain: String) throws {
        #expect(try XText.decode(encoded[...]) == plain)
    }

    @Test(
        "refuses text outside the xtext grammar with the offending offset",
        arguments: [
            ("+", 0), ("a+", 1), ("+4", 0), ("ab+4", 2), ("+4G", 0), ("+G4", 0), ("++41", 0), ("+ 41", 0),
            ("a b", 1), ("a=b", 1), ("ö", 0), ("\u{0}", 0), ("ok\r\n", 2), ("\t", 0), ("abc\u{7F}", 3),
        ])
    func refuses(text: String, offset: Int) {
        let error = decodeError(text)
        #expect(error?.kind == .malformed)
        #expect(error?.offset == offset)
        #expect(error?.parameter == nil)
        #expect(error?.description.hasPrefix("Invalid xtext") == true)
    }

    @Test("round-trips every single octet, each encoded in canonical form", arguments: 0...255)
    func everyOctet(value: Int) throws {
        let byte = UInt8(value)
        let encoded = XText.encode(bytes: [byte])
        #expect(try XText.decodeBytes(encoded[...]) == [byte])
        let isXchar = (33...126).contains(byte) && byte != UInt8(ascii: "+") && byte != UInt8(ascii: "=")
        if isXchar {
            #expect(encoded == String(UnicodeScalar(byte)))
        } else {
            #expect(encoded.count == 3)
            #expect(encoded.first == "+")
            #expect(encoded.dropFirst().allSatisfy { "0123456789ABCDEF".contains($0) })
        }
    }

    @Test("round-trips all 256 octets in one value, and random buffers")
    func allOctetsTogether() throws {
        let all = (0...255).map(UInt8.init)
        #expect(try XText.decodeBytes(XText.encode(bytes: all)[...]) == all)
        var generator = SeededGenerator(seed: 3461)
        for _ in 0..<500 {
            let bytes = generator.bytes(Int.random(in: 0...64, using: &generator))
            let encoded = XText.encode(bytes: bytes)
            #expect(encoded.utf8.allSatisfy { (33...126).contains($0) && $0 != UInt8(ascii: "=") })
            #expect(try XText.decodeBytes(encoded[...]) == bytes)
        }
    }

    @Test("round-trips strings of any Unicode scalars")
    func stringRoundTrip() throws {
        let ascii = String(String.UnicodeScalarView((0...127).compactMap(Unicode.Scalar.init)))
        for text in [ascii, "jörg@bücher.example", "用户@例子.广告", "😀+=", "\u{FFFD}\u{10FFFF}"] {
            #expect(try XText.decode(XText.encode(text)[...]) == text)
        }
    }

    @Test("refuses to decode octets that are not UTF-8 into a string")
    func notUTF8() {
        #expect(throws: DSNParameterError.self) { try XText.decode("+FF") }
        #expect(throws: DSNParameterError.self) { try XText.decode("+C3") }
        #expect((try? XText.decodeBytes("+FF")) == [0xFF])
    }

    @Test("never crashes on random input")
    func randomInput() {
        var generator = SeededGenerator(seed: 0xC0FFEE)
        for _ in 0..<2_000 {
            let text = String(decoding: generator.bytes(Int.random(in: 0...40, using: &generator)), as: UTF8.self)
            if let decoded = try? XText.decodeBytes(text[...]) {
                #expect(decoded.count <= text.utf8.count)
            }
        }
    }
}
