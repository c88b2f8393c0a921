@testable import Envelope
import Foundation
import Testing

/// The field without its final CRLF (one `Character` in Swift).
private func content(_ field: String) -> String {
    String(decoding: field.utf8.dropLast(2), as: UTF8.self)
}

/// Unfolds a field as RFC 5322 §2.2.3 does: every CRLF before white space goes.
private func unfold(_ field: String) -> String {
    content(field).replacingOccurrences(of: "\r\n", with: "")
}

private func physicalLines(_ field: String) -> [String] {
    content(field).components(separatedBy: "\r\n")
}

@Suite("MIMEText")
struct MIMETextTests {
    @Test(
        "sanitizing turns controls and separators into spaces and trims",
        arguments: [
            ("plain text", true, "plain text"),
            ("a\r\nb", true, "a  b"),
            ("a\tb\u{0}c\u{7F}d", true, "a b c d"),
            ("x\u{85}y\u{2028}z\u{2029}", true, "x y z"),
            ("  padded  ", true, "padded"),
            ("\r\n", true, ""),
            ("Grüße", true, "Grüße"),
            ("Grüße", false, "Gr??e"),
            ("日本", false, "??"),
        ])
    func sanitizes(input: String, allowUTF8: Bool, output: String) {
        #expect(MIMEText.sanitized(input, allowUTF8: allowUTF8) == output)
    }

    @Test("a short field stays on one line")
    func shortField() {
        #expect(MIMEText.field("Action", "failed") == "Action: failed\r\n")
        #expect(MIMEText.field("X", "") == "X:\r\n")
    }

    @Test(
        "folding keeps lines within 78 octets and unfolds to the value exactly",
        arguments: [
            String(repeating: "word ", count: 40) + "end",
            "smtp; 550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown in local recipient table",
            "two  spaces  between  words  " + String(repeating: "and more ", count: 12),
            String(repeating: "ä ", count: 60),
        ])
    func folds(value: String) {
        let field = MIMEText.field("Diagnostic-Code", value)
        #expect(field.hasSuffix("\r\n"))
        let lines = physicalLines(field)
        #expect(lines.count > 1)
        #expect(lines.allSatisfy { $0.utf8.count <= 78 })
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix(" ") })
        #expect(lines.allSatisfy { !$0.trimmingCharacters(in: .whitespaces).isEmpty })
        #expect(unfold(field) == "Diagnostic-Code: " + value)
    }

    @Test(
        "a word longer than a line is cut within 998 octets",
        arguments: [2500, 998, 997, 996])
    func cutsLongWords(length: Int) {
        let value = "smtp; " + String(repeating: "x", count: length) + " tail"
        let lines = physicalLines(MIMEText.field("Diagnostic-Code", value))
        #expect(lines.allSatisfy { $0.utf8.count <= 998 })
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix(" ") })
        #expect(unfold(MIMEText.field("Diagnostic-Code", value)).filter { $0 == "x" }.count == length)
    }

    @Test("a long word of multi-octet characters is cut between characters")
    func cutsAtScalars() {
        let value = String(repeating: "€", count: 700)
        let lines = physicalLines(MIMEText.field("X", value))
        #expect(lines.allSatisfy { $0.utf8.count <= 998 })
        #expect(unfold(MIMEText.field("X", value)).filter { $0 == "€" }.count == 700)
    }

    @Test("wrapping keeps words whole within 78 octets, with the indent")
    func wraps() {
        let text = (1...60).map { "w\($0)" }.joined(separator: " ")
        let lines = MIMEText.wrapped(text, indent: "    ")
        #expect(lines.count > 1)
        #expect(lines.allSatisfy { $0.hasPrefix("    ") && $0.utf8.count <= 78 })
        #expect(lines.map { $0.dropFirst(4) }.joined(separator: " ") == text)
    }

    @Test("wrapping starts a long word on a line of its own, cut within 998 octets")
    func wrapsLongWords() {
        let lines = MIMEText.wrapped("short " + String(repeating: "y", count: 2000) + " end", indent: "  ")
        #expect(lines.first == "  short")
        #expect(lines.last?.hasSuffix("y end") == true)
        #expect(lines.allSatisfy { $0.utf8.count <= 998 })
        #expect(lines.joined().filter { $0 == "y" }.count == 2000)
        #expect(MIMEText.wrapped("").isEmpty)
    }
}
