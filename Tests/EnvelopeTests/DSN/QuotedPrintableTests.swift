@testable import Envelope
import Testing

/// Decodes quoted-printable (RFC 2045 §6.7), written separately from the encoder.
private func decode(_ text: String) -> [UInt8] {
    let bytes = Array(text.utf8)
    var out: [UInt8] = []
    var index = 0
    while index < bytes.count {
        if bytes[index] == UInt8(ascii: "="), index + 2 < bytes.count {
            if bytes[index + 1] == 0x0D, bytes[index + 2] == 0x0A {
                index += 3
                continue
            }
            out.append(UInt8(String(decoding: bytes[(index + 1)...(index + 2)], as: UTF8.self), radix: 16) ?? 0)
            index += 3
        } else {
            out.append(bytes[index])
            index += 1
        }
    }
    return out
}

@Suite("QuotedPrintable")
struct QuotedPrintableTests {
    @Test(
        "encodes octets that are not printable ASCII, and =",
        arguments: [
            ("plain", "plain"),
            ("a=b", "a=3Db"),
            ("Grüße", "Gr=C3=BC=C3=9Fe"),
            ("trailing ", "trailing=20"),
            ("tab\t", "tab=09"),
            ("in between", "in between"),
        ])
    func encodes(line: String, encoded: String) {
        #expect(QuotedPrintable.encode([line]) == encoded)
    }

    @Test(
        "soft line breaks keep lines within 76 octets and decode to the text",
        arguments: [
            String(repeating: "a", count: 200),
            String(repeating: "ä", count: 100),
            String(repeating: "x", count: 74) + "ü" + String(repeating: "y", count: 10),
            String(repeating: "x", count: 75) + " ",
            String(repeating: "ab= ", count: 50),
        ])
    func softBreaks(line: String) {
        let encoded = QuotedPrintable.encode([line, "second line"])
        let lines = encoded.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.utf8.count <= 76 })
        #expect(lines.allSatisfy { !$0.hasSuffix(" ") && !$0.hasSuffix("\t") })
        #expect(encoded.utf8.allSatisfy { $0 < 0x80 })
        #expect(decode(encoded) == Array((line + "\r\nsecond line").utf8))
    }
}
