import Foundation

/// A delivery status notification (RFC 3464) about one message: a
/// `multipart/report; report-type=delivery-status` message (RFC 6522) for
/// the message's sender, with three parts:
///
/// 1. `text/plain`: what happened to each recipient, in plain words, with
///    the remote server's own reply;
/// 2. `message/delivery-status`: the same for programs, per-message fields
///    and one group of per-recipient fields each;
/// 3. the original message, or its header section, or nothing (see
///    `DSNReturnedContent`).
///
/// When the message used `SMTPUTF8`, or the sender or a final recipient
/// needs UTF-8, parts 2 and 3 use the internationalized types of RFC 6533
/// and RFC 6532 §3.7: `message/global-delivery-status`, `message/global`
/// and `message/global-headers` (see `isInternational`).
///
/// Everything is an input (names, dates, the report's own message id), so
/// the same report always gives the same octets:
///
///     From: Mail Delivery System <MAILER-DAEMON@mx.example.com>
///     To: <alice@example.com>
///     Subject: Undelivered Mail Returned to Sender
///     Date: Wed, 25 Nov 2026 11:25:02 +0000
///     Message-ID: <06f3q2m7a1b9wzr4t7cd@mx.example.com>
///     Auto-Submitted: auto-replied
///     MIME-Version: 1.0
///     Content-Type: multipart/report; report-type=delivery-status;
///      boundary="=_tern-dsn-06f3q2m7a1b9wzr4t7cd"
///
/// The report goes out with the null reverse path to `recipient`, with
/// `BODY=8BITMIME` when `requires8BitMIME` and `SMTPUTF8` when
/// `requiresSMTPUTF8`.
public struct DSNReport: Hashable, Sendable {
    /// The name of this MTA (`Reporting-MTA: dns; …`, and the domain of
    /// the report's `From:` and `Message-ID:`).
    public let reportingMTA: String
    /// The envelope of the message reported on.
    public let envelope: Envelope
    /// One entry per recipient, in the order given.
    public let recipients: [DSNRecipientReport]
    /// Who gets the report: the original message's sender.
    public let recipient: MailAddress
    /// The report's own message id (for its `Message-ID:` and boundary).
    public let messageID: MessageID
    /// When the report was made (its `Date:`).
    public let date: Date
    /// The site's choices.
    public let options: DSNOptions
    /// What of the original message the report returns.
    public let returnedContent: DSNReturnedContent
    /// The original message's `Message-ID`, for `In-Reply-To` and `References`.
    public let originalMessageID: String?

    /// A report on the message with `envelope` and content `originalMessage`
    /// (nil when the content is no longer at hand).
    ///
    /// The whole message is returned only when a recipient `failed` and the
    /// sender asked for `RET=FULL` (or gave no `RET` and the site default is
    /// `.full`); otherwise its header section, as RFC 3461 §4.3 recommends
    /// for reports that tell of no failure. See `DSNReturnedContent` for
    /// the size limit and the fallbacks.
    ///
    /// Nil when `recipients` is empty (RFC 3464 §2.1 wants at least one) or
    /// the message has the null reverse path, which must never be answered
    /// (RFC 5321 §4.5.5); see `DSNPolicy`.
    public init?(
        reportingMTA: String,
        envelope: Envelope,
        recipients: [DSNRecipientReport],
        originalMessage: [UInt8]?,
        messageID: MessageID,
        date: Date,
        options: DSNOptions = DSNOptions()
    ) {
        guard let sender = envelope.sender.address, !recipients.isEmpty else { return nil }
        self.reportingMTA = reportingMTA
        self.envelope = envelope
        self.recipients = recipients
        self.recipient = sender
        self.messageID = messageID
        self.date = date
        self.options = options
        let hasFailure = recipients.contains { $0.action == .failed }
        self.returnedContent = DSNReturnedContent(
            original: originalMessage,
            wanted: hasFailure ? envelope.ret ?? options.defaultReturn : .headers,
            limit: options.maximumReturnedSize
        )
        // A UTF-8 msg-id would put UTF-8 in the report's own header, which
        // only a report that needs SMTPUTF8 anyway may carry.
        let utf8Header = Self.requiresSMTPUTF8(
            recipient: sender, from: options.fromAddress, reportingMTA: reportingMTA)
        self.originalMessageID = originalMessage.flatMap {
            OriginalMessage(bytes: $0).messageID(allowUTF8: utf8Header)
        }
    }

    /// Whether the report uses the internationalized types of RFC 6533:
    /// the message used `SMTPUTF8`, or the sender, a final recipient or the
    /// reporting MTA's name holds non-ASCII characters.
    ///
    /// A `utf-8` original recipient alone does not count: RFC 6533 §3 gives
    /// it a 7-bit form for exactly this case, `utf-8; j\x{F6}rg@example.org`.
    public var isInternational: Bool {
        Self.isInternational(envelope: envelope, recipients: recipients, reportingMTA: reportingMTA)
    }

    private static func isInternational(
        envelope: Envelope, recipients: [DSNRecipientReport], reportingMTA: String
    ) -> Bool {
        envelope.flags.contains(.smtpUTF8)
            || envelope.sender.address?.requiresSMTPUTF8 == true
            || !isASCII(reportingMTA)
            || recipients.contains { $0.finalRecipient.requiresSMTPUTF8 }
    }

    /// Whether the report's own header or envelope needs UTF-8, so that it
    /// must be sent with `SMTPUTF8` (RFC 6531): the recipient's address,
    /// the `From:` address or the reporting MTA's name is not ASCII. (Only
    /// then does a UTF-8 `Message-ID` of the original reach `In-Reply-To`.)
    ///
    /// The internationalized body parts alone do not need it: RFC 6532 §3.7
    /// lets `message/global` travel as any other 8-bit body part.
    public var requiresSMTPUTF8: Bool {
        Self.requiresSMTPUTF8(recipient: recipient, from: options.fromAddress, reportingMTA: reportingMTA)
    }

    private static func requiresSMTPUTF8(recipient: MailAddress, from: MailAddress?, reportingMTA: String) -> Bool {
        recipient.requiresSMTPUTF8 || from?.requiresSMTPUTF8 == true || !isASCII(reportingMTA)
    }

    /// Whether the body holds 8-bit octets, so that the report must be sent
    /// with `BODY=8BITMIME` (RFC 6152): 8-bit returned content, UTF-8 in an
    /// internationalized delivery-status part, or UTF-8 prose that travels
    /// as `8bit` alongside them.
    public var requires8BitMIME: Bool {
        parts().contains { $0.isEightBit }
    }

    /// The `Subject:`, saying what happened.
    ///
    /// | actions in the report              | subject                                      |
    /// |------------------------------------|----------------------------------------------|
    /// | only `failed`                      | Undelivered Mail Returned to Sender          |
    /// | `failed` and others                | Undelivered Mail Returned to Sender (Partial) |
    /// | only `delayed`                     | Delayed Mail (still being retried)           |
    /// | only `relayed`                     | Mail Relayed                                 |
    /// | only `expanded`                    | Mail Expanded to Further Recipients          |
    /// | `delivered`, maybe with other successes | Successful Mail Delivery Report         |
    /// | anything else                      | Delivery Status Notification                 |
    public var subject: String {
        let actions = Set(recipients.map(\.action))
        if actions == [.failed] { return "Undelivered Mail Returned to Sender" }
        if actions.contains(.failed) { return "Undelivered Mail Returned to Sender (Partial)" }
        if actions == [.delayed] { return "Delayed Mail (still being retried)" }
        if actions == [.relayed] { return "Mail Relayed" }
        if actions == [.expanded] { return "Mail Expanded to Further Recipients" }
        if actions.contains(.delivered), actions.allSatisfy(\.isSuccess) { return "Successful Mail Delivery Report" }
        return "Delivery Status Notification"
    }

    /// The address of the report's `From:`.
    var fromAddress: MailAddress {
        options.fromAddress ?? MailAddress(localPart: "MAILER-DAEMON", domain: reportingMTA)
    }

    static func isASCII(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 < 0x80 }
    }
}
