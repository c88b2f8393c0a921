@testable import Envelope
import Testing

private func message(_ text: String) -> OriginalMessage {
    OriginalMessage(bytes: Array(text.utf8))
}

@Suite("OriginalMessage")
struct OriginalMessageTests {
    @Test(
        "the header section ends before the first empty line",
        arguments: [
            ("A: 1\r\nB: 2\r\n\r\nbody\r\n", "A: 1\r\nB: 2\r\n"),
            ("A: 1\r\n\r\n\r\nbody\r\n", "A: 1\r\n"),
            ("A: 1\n\nbody\n", "A: 1\n"),
            ("\r\nbody only\r\n", ""),
            ("A: no end", "A: no end"),
            ("A: 1\r\nB: 2\r\n", "A: 1\r\nB: 2\r\n"),
            ("", ""),
        ])
    func header(text: String, header: String) {
        #expect(Array(message(text).header) == Array(header.utf8))
    }

    @Test(
        "mail-safe means CRLF lines of at most 998 octets, without NUL",
        arguments: [
            ("short\r\nlines\r\n", true),
            ("no final line end", true),
            (String(repeating: "x", count: 998) + "\r\n", true),
            (String(repeating: "x", count: 999) + "\r\n", false),
            ("bare\nLF\r\n", false),
            ("bare\rCR\r\n", false),
            ("ends in CR\r", false),
            ("NUL\u{0}\r\n", false),
            ("8-bit ä\r\n", true),
        ])
    func mailSafe(text: String, safe: Bool) {
        #expect(OriginalMessage.isMailSafe(Array(text.utf8)[...]) == safe)
    }

    @Test("the Message-ID may be UTF-8 only when allowed")
    func utf8MessageID() {
        let original = message("Message-ID: <grüße@example.com>\r\n\r\n")
        #expect(original.messageID(allowUTF8: true) == "<grüße@example.com>")
        #expect(original.messageID(allowUTF8: false) == nil)
        #expect(message("Message-ID: <\u{FF}\u{FE}@x>\r\n\r\n").messageID(allowUTF8: true) == "<\u{FF}\u{FE}@x>")
    }

    @Test("invalid UTF-8 in a Message-ID gives none")
    func invalidUTF8() {
        let bytes = Array("Message-ID: <".utf8) + [0xC3, 0x28] + Array("@x>\r\n\r\n".utf8)
        #expect(OriginalMessage(bytes: bytes).messageID(allowUTF8: true) == nil)
    }
}
