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

    /// The message dot-stuffed and terminated.
    static func encode(_ message: ByteBuffer) -> ByteBuffer {
        var out = ByteBuffer()
        // Stuffing adds rarely more than a few octets; the end adds at most five.
        out.reserveCapacity(message.readableBytes + 64)
        message.withUnsafeReadableBytes { bytes in
            var copied = 0
            var lineStart = 0
            while lineStart < bytes.count {
                if bytes[lineStart] == dot {
                    out.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[copied..<lineStart]))
                    out.writeInteger(dot)
                    copied = lineStart
                }
                guard let lineFeed = bytes[lineStart...].firstIndex(of: lf) else { break }
                lineStart = lineFeed + 1
            }
            out.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[copied...]))
            let endsWithCRLF = bytes.count >= 2 && bytes[bytes.count - 2] == cr && bytes[bytes.count - 1] == lf
            if !bytes.isEmpty && !endsWithCRLF {
                out.writeBytes([cr, lf])
            }
        }
        out.writeBytes([dot, cr, lf])
        return out
    }
}
