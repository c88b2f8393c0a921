import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// Turns a message into the bytes sent after `354` (RFC 5321 §4.5.2):
/// every line that starts with `.` gets one more `.` in front, a message
/// not ending in CRLF gets one, and `.` CRLF ends the data.
///
///     Subject: x CRLF CRLF .hidden CRLF last      (message)
///     Subject: x CRLF CRLF ..hidden CRLF last CRLF . CRLF   (sent)
///
/// The terminator is part of the same buffer as the last message bytes, so
/// it never travels as a tiny write of its own (see NOTES.md: a separate
/// `.` write waits for the receiver's delayed ACK under Nagle).
enum SMTPDataEncoder {
    private static let dot = UInt8(ascii: ".")
    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")

    /// The message dot-stuffed and terminated, and whether it has octets
    /// above 127 (it then needs `BODY=8BITMIME`).
    ///
    /// The wire form is `message.count + 3` octets long exactly when the
    /// message is sent as it is, followed by `.` CRLF alone.
    static func encode(_ message: UnsafeRawBufferPointer) -> (wire: ByteBuffer, containsEightBitData: Bool) {
        var out = ByteBuffer()
        // Stuffing adds rarely more than a few octets; the end adds at most five.
        out.reserveCapacity(message.count + 64)
        if let base = message.baseAddress {
            var copied = 0
            var lineStart = 0
            while lineStart < message.count {
                if message[lineStart] == dot {
                    out.writeBytes(UnsafeRawBufferPointer(rebasing: message[copied..<lineStart]))
                    out.writeInteger(dot)
                    copied = lineStart
                }
                guard let lineFeed = memchr(base + lineStart, Int32(lf), message.count - lineStart) else { break }
                lineStart = base.distance(to: UnsafeRawPointer(lineFeed)) + 1
            }
            out.writeBytes(UnsafeRawBufferPointer(rebasing: message[copied...]))
        }
        let endsWithCRLF = message.count >= 2 && message[message.count - 2] == cr && message[message.count - 1] == lf
        if !message.isEmpty && !endsWithCRLF {
            out.writeBytes([cr, lf])
        }
        out.writeBytes([dot, cr, lf])
        return (out, containsEightBitData(message))
    }

    /// Whether any octet is above 127, eight octets at a time.
    private static func containsEightBitData(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var words: UInt64 = 0
        var offset = 0
        while offset + 8 <= bytes.count {
            words |= bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            offset += 8
        }
        var rest: UInt8 = 0
        while offset < bytes.count {
            rest |= bytes[offset]
            offset += 1
        }
        return words & 0x8080_8080_8080_8080 != 0 || rest & 0x80 != 0
    }
}
