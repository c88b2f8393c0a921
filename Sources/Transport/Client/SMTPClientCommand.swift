import Envelope
import NIOCore

/// The command lines the client writes (RFC 5321 §4.1.1, RFC 2033 §4.1),
/// each with its CRLF.
enum SMTPClientCommand {
    static func ehlo(_ name: String) -> String { "EHLO \(name)\r\n" }
    static func helo(_ name: String) -> String { "HELO \(name)\r\n" }
    static func lhlo(_ name: String) -> String { "LHLO \(name)\r\n" }
    static let startTLS = "STARTTLS\r\n"
    static let data = "DATA\r\n"
    static let reset = "RSET\r\n"
    static let quit = "QUIT\r\n"

    /// Writes `MAIL FROM:<sender>` with the parameters the server understands:
    ///
    ///     MAIL FROM:<alice@example.com> SIZE=1234 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=QQ314159
    ///
    /// `SIZE` (RFC 1870) when announced; `BODY=8BITMIME` (RFC 6152) when the
    /// message has 8-bit octets; `SMTPUTF8` (RFC 6531) when it needs it;
    /// `RET` and `ENVID` (RFC 3461) only when `DSN` is announced. The caller
    /// has checked that the server offers what the message needs.
    static func writeMail(
        _ transaction: OutboundTransaction, capabilities: SMTPServerCapabilities, to buffer: inout ByteBuffer
    ) {
        buffer.writeString("MAIL FROM:")
        buffer.writeString(transaction.sender.wireForm)
        if capabilities.size != nil {
            buffer.writeString(" SIZE=")
            buffer.writeString(String(transaction.body.readableBytes))
        }
        if transaction.containsEightBitData {
            buffer.writeString(" BODY=8BITMIME")
        }
        if transaction.requiresSMTPUTF8 {
            buffer.writeString(" SMTPUTF8")
        }
        if capabilities.dsn {
            if let ret = transaction.ret {
                buffer.writeString(" RET=")
                buffer.writeString(ret.parameterValue)
            }
            if let envelopeID = transaction.envelopeID {
                buffer.writeString(" ENVID=")
                buffer.writeString(EnvelopeIdentifier.parameterValue(envelopeID))
            }
        }
        buffer.writeString("\r\n")
    }

    /// Writes `RCPT TO:<recipient>`, with `NOTIFY` and `ORCPT` (RFC 3461) when `DSN` is announced:
    ///
    ///     RCPT TO:<bob@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@example.org
    static func writeRecipient(
        _ recipient: OutboundRecipient, capabilities: SMTPServerCapabilities, to buffer: inout ByteBuffer
    ) {
        buffer.writeString("RCPT TO:")
        buffer.writeString(recipient.address.wireForm)
        if capabilities.dsn {
            if let notify = recipient.notify {
                buffer.writeString(" NOTIFY=")
                buffer.writeString(notify.parameterValue)
            }
            if let original = recipient.originalRecipient {
                buffer.writeString(" ORCPT=")
                buffer.writeString(original.parameterValue)
            }
        }
        buffer.writeString("\r\n")
    }
}
