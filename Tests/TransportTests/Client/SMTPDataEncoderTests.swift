import NIOCore
import Testing
@testable import Transport

@Suite("SMTPDataEncoder")
struct SMTPDataEncoderTests {
    @Test("stuffs dots and terminates the data", arguments: [
        ("Subject: x\r\n\r\nbody\r\n", "Subject: x\r\n\r\nbody\r\n.\r\n"),
        (".starts with a dot\r\n", "..starts with a dot\r\n.\r\n"),
        ("a\r\n.\r\nb\r\n", "a\r\n..\r\nb\r\n.\r\n"),
        ("a\r\n..two\r\n", "a\r\n...two\r\n.\r\n"),
        ("no dot. in. the middle.\r\n", "no dot. in. the middle.\r\n.\r\n"),
        ("no final line ending", "no final line ending\r\n.\r\n"),
        ("a\r\n.", "a\r\n..\r\n.\r\n"),
        ("ends with CR\r", "ends with CR\r\r\n.\r\n"),
        ("", ".\r\n"),
        (".", "..\r\n.\r\n"),
        ("\r\n", "\r\n.\r\n"),
        ("x\r\n.\r\n.\r\n", "x\r\n..\r\n..\r\n.\r\n"),
    ])
    func encodes(message: String, wire: String) {
        #expect(String(buffer: SMTPDataEncoder.encode(ByteBuffer(string: message))) == wire)
    }

    @Test("keeps 8-bit octets and long messages intact")
    func largeMessage() {
        var message = ""
        for index in 0..<5_000 {
            message += index % 7 == 0 ? ".dotted line \(index) é\r\n" : "line \(index) ü\r\n"
        }
        let wire = String(buffer: SMTPDataEncoder.encode(ByteBuffer(string: message)))
        let expected = message.split(separator: "\r\n", omittingEmptySubsequences: false).dropLast()
            .map { $0.hasPrefix(".") ? "." + $0 : String($0) }.joined(separator: "\r\n") + "\r\n.\r\n"
        #expect(wire == expected)
    }
}
