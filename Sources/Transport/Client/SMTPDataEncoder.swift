import NIOCore

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
    /// above 127 (it then needs `BODY=8BITMIME`), found in the same pass.
    ///
    /// The wire form is `message.count + 3` octets long exactly when the
    /// message is sent as it is, followed by `.` CRLF alone.
    static func encode(_ message: UnsafeRawBufferPointer) -> (wire: ByteBuffer, containsEightBitData: Bool) {
        var out = ByteBuffer()
        // Stuffing adds rarely more than a few octets; the end adds at most five.
        out.reserveCapacity(message.count + 64)
        var highBits: UInt8 = 0
        var copied = 0
        var atLineStart = true
        for index in message.indices {
            let byte = message[index]
            if atLineStart && byte == dot {
                out.writeBytes(UnsafeRawBufferPointer(rebasing: message[copied..<index]))
                out.writeInteger(dot)
                copied = index
            }
            atLineStart = byte == lf
            highBits |= byte
        }
        out.writeBytes(UnsafeRawBufferPointer(rebasing: message[copied...]))
        let endsWithCRLF = message.count >= 2 && message[message.count - 2] == cr && message[message.count - 1] == lf
        if !message.isEmpty && !endsWithCRLF {
            out.writeBytes([cr, lf])
        }
        out.writeBytes([dot, cr, lf])
        return (out, highBits & 0x80 != 0)
    }
}
