import Envelope
import NIOCore
import Testing
@testable import Transport

@Suite("SMTPDataEncoder")
struct SMTPDataEncoderTests {
    static let stuffing: [(message: String, wire: String)] = [
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
    ]

    static func encode(_ message: String) -> (wire: String, containsEightBitData: Bool) {
        let encoded = ByteBuffer(string: message).withUnsafeReadableBytes { SMTPDataEncoder.encode($0) }
        return (String(buffer: encoded.wire), encoded.containsEightBitData)
    }

    @Test("stuffs dots and terminates the data", arguments: stuffing)
    func encodes(message: String, wire: String) {
        #expect(Self.encode(message).wire == wire)
    }

    @Test("keeps 8-bit octets and long messages intact")
    func largeMessage() {
        var message = ""
        for index in 0..<5_000 {
            message += index % 7 == 0 ? ".dotted line \(index) é\r\n" : "line \(index) ü\r\n"
        }
        let encoded = Self.encode(message)
        let expected = message.split(separator: "\r\n", omittingEmptySubsequences: false).dropLast()
            .map { $0.hasPrefix(".") ? "." + $0 : String($0) }.joined(separator: "\r\n") + "\r\n.\r\n"
        #expect(encoded.wire == expected)
        #expect(encoded.containsEightBitData)
    }

    @Test("finds an 8-bit octet anywhere, and none in 7-bit text", arguments: [
        ("plain ASCII\r\n", false),
        ("\u{7F} is the last 7-bit octet\r\n", false),
        ("é at the start\r\n", true),
        ("in the middle: ü.\r\n", true),
        ("at the very end: ß", true),
    ])
    func eightBit(message: String, containsEightBitData: Bool) {
        #expect(Self.encode(message).containsEightBitData == containsEightBitData)
    }

    @Test("finds a single 8-bit octet at any offset, inside or after the eight-octet words", arguments: 0..<19)
    func eightBitAtOffset(offset: Int) {
        var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 19)
        #expect(!bytes.withUnsafeBytes { SMTPDataEncoder.encode($0) }.containsEightBitData)
        bytes[offset] = 0x80
        #expect(bytes.withUnsafeBytes { SMTPDataEncoder.encode($0) }.containsEightBitData)
    }

    @Test("a transaction given bytes keeps them as its body and sends the stuffed form", arguments: stuffing)
    func transactionBody(message: String, wire: String) {
        let transaction = OutboundTransaction(
            sender: .mailbox(MailAddress(localPart: "alice", domain: "example.com")), recipients: [], body: Array(message.utf8))
        #expect(String(buffer: transaction.body) == message)
        #expect(String(buffer: transaction.wireBody) == wire)
        #expect(!transaction.containsEightBitData)
    }
}
