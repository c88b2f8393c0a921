import Foundation

/// Where a recipient stands in the journal.
public enum RecipientState: UInt8, Hashable, Sendable, CaseIterable {
    /// Waiting for its next attempt (listed in the due index).
    case scheduled = 1
    /// Held by the operator: not attempted until released. Listed in the due
    /// index at the message's expiry, so that expiry still reaches it.
    case held = 2
    /// Delivered (or relayed): final.
    case delivered = 3
    /// Failed permanently or expired: final; a DSN was enqueued if asked for.
    case failed = 4

    /// Whether no further attempt will be made.
    public var isFinal: Bool { self == .delivered || self == .failed }

    /// Whether the recipient has an entry in the journal's due index (at `nextAttempt`).
    public var isInDueIndex: Bool { !isFinal }
}

/// One recipient of a queued message with its delivery state.
public struct Recipient: Hashable, Sendable {
    /// The forward path from `RCPT TO`.
    public var address: MailAddress
    /// `ORCPT`, when given.
    public var originalRecipient: OriginalRecipient?
    /// `NOTIFY`, or nil when the parameter was absent.
    public var notify: DSNNotify?
    public var state: RecipientState
    /// Delivery attempts made so far.
    public var attempts: UInt32
    /// When the next attempt is due (meaningful while scheduled).
    public var nextAttempt: Date
    /// When the last attempt ended, if any.
    public var lastAttempt: Date?
    /// The enhanced status of the last attempt's outcome.
    public var lastStatus: EnhancedStatus?
    /// The remote reply or local diagnostic of the last attempt.
    public var lastReply: String?
    /// The host that gave the last reply (`Remote-MTA`).
    public var remoteHost: String?
    /// Whether a delay DSN was already sent.
    public var delayWarned: Bool

    public init(
        address: MailAddress,
        originalRecipient: OriginalRecipient? = nil,
        notify: DSNNotify? = nil,
        state: RecipientState = .scheduled,
        attempts: UInt32 = 0,
        nextAttempt: Date,
        lastAttempt: Date? = nil,
        lastStatus: EnhancedStatus? = nil,
        lastReply: String? = nil,
        remoteHost: String? = nil,
        delayWarned: Bool = false
    ) {
        self.address = address
        self.originalRecipient = originalRecipient
        self.notify = notify
        self.state = state
        self.attempts = attempts
        self.nextAttempt = nextAttempt
        self.lastAttempt = lastAttempt
        self.lastStatus = lastStatus
        self.lastReply = lastReply
        self.remoteHost = remoteHost
        self.delayWarned = delayWarned
    }
}
