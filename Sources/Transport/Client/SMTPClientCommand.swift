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

    /// `MAIL FROM:<sender>` with the parameters the server understands:
    ///
    ///     MAIL FROM:<alice@example.com> SIZE=1234 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=QQ314159
    ///
    /// `SIZE` (RFC 1870) when announced; `BODY=8BITMIME` (RFC 6152) when the
    /// message has 8-bit octets; `SMTPUTF8` (RFC 6531) when it needs it;
    /// `RET` and `ENVID` (RFC 3461) only when `DSN` is announced. The caller
    /// has checked that the server offers what the message needs.
    static func mail(_ transaction: OutboundTransaction, capabilities: SMTPServerCapabilities) -> String {
        var line = "MAIL FROM:" + transaction.sender.wireForm
        if capabilities.size != nil {
            line += " SIZE=\(transaction.body.readableBytes)"
        }
        if transaction.containsEightBitData {
            line += " BODY=8BITMIME"
        }
        if transaction.requiresSMTPUTF8 {
            line += " SMTPUTF8"
        }
        if capabilities.dsn {
            if let ret = transaction.ret { line += " RET=" + ret.parameterValue }
            if let envelopeID = transaction.envelopeID {
                line += " ENVID=" + EnvelopeIdentifier.parameterValue(envelopeID)
            }
        }
        return line + "\r\n"
    }

    /// `RCPT TO:<recipient>`, with `NOTIFY` and `ORCPT` (RFC 3461) when `DSN` is announced:
    ///
    ///     RCPT TO:<bob@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@example.org
    static func recipient(_ recipient: OutboundRecipient, capabilities: SMTPServerCapabilities) -> String {
        var line = "RCPT TO:" + recipient.address.wireForm
        if capabilities.dsn {
            if let notify = recipient.notify { line += " NOTIFY=" + notify.parameterValue }
            if let original = recipient.originalRecipient { line += " ORCPT=" + original.parameterValue }
        }
        return line + "\r\n"
    }
}
