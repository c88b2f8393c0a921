import Foundation

/// What a delivery status notification says about one recipient: the
/// per-recipient fields of RFC 3464 §2.3.
///
///     Original-Recipient: rfc822; bob@example.org
///     Final-Recipient: rfc822; bob@example.org
///     Action: failed
///     Status: 5.1.1
///     Remote-MTA: dns; mx.example.org
///     Diagnostic-Code: smtp; 550 5.1.1 No such user
///     Last-Attempt-Date: Wed, 25 Nov 2026 11:25:02 +0000
public struct DSNRecipientReport: Hashable, Sendable {
    /// The forward path from `RCPT TO` as this MTA accepted it (`Final-Recipient`).
    public var finalRecipient: MailAddress
    /// The `ORCPT` parameter, if the client gave one (`Original-Recipient`).
    public var originalRecipient: OriginalRecipient?
    /// What happened (`Action`).
    public var action: DSNAction
    /// The enhanced status code (`Status`).
    public var status: EnhancedStatus
    /// The host whose reply is reported (`Remote-MTA`); nil when the
    /// diagnostic is this MTA's own.
    public var remoteMTA: String?
    /// The reply or local diagnostic (`Diagnostic-Code`).
    public var diagnostic: DSNDiagnostic?
    /// When the last attempt ended (`Last-Attempt-Date`).
    public var lastAttempt: Date?
    /// Until when a `delayed` recipient is retried (`Will-Retry-Until`);
    /// ignored for every other action, for which RFC 3464 §2.3.9 forbids the field.
    public var willRetryUntil: Date?

    /// A report from its parts.
    public init(
        finalRecipient: MailAddress,
        originalRecipient: OriginalRecipient? = nil,
        action: DSNAction,
        status: EnhancedStatus,
        remoteMTA: String? = nil,
        diagnostic: DSNDiagnostic? = nil,
        lastAttempt: Date? = nil,
        willRetryUntil: Date? = nil
    ) {
        self.finalRecipient = finalRecipient
        self.originalRecipient = originalRecipient
        self.action = action
        self.status = status
        self.remoteMTA = remoteMTA
        self.diagnostic = diagnostic
        self.lastAttempt = lastAttempt
        self.willRetryUntil = willRetryUntil
    }

    /// The report for a queued recipient after its last attempt.
    ///
    /// The status is the recipient's last status, or the action's
    /// `defaultStatus`. The last reply is the remote server's (type `smtp`)
    /// when a remote host is known, else this MTA's own (type `X-Tern`),
    /// following RFC 3464 §2.3.6: without a `Remote-MTA` the diagnostic was
    /// issued by the reporting MTA.
    public init(_ recipient: Recipient, action: DSNAction, willRetryUntil: Date? = nil) {
        let diagnostic = recipient.lastReply.map { reply in
            recipient.remoteHost == nil ? DSNDiagnostic.local(reply) : DSNDiagnostic.smtp(reply)
        }
        self.init(
            finalRecipient: recipient.address,
            originalRecipient: recipient.originalRecipient,
            action: action,
            status: recipient.lastStatus ?? action.defaultStatus,
            remoteMTA: recipient.remoteHost,
            diagnostic: diagnostic,
            lastAttempt: recipient.lastAttempt,
            willRetryUntil: willRetryUntil
        )
    }
}
