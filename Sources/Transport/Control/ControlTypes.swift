import Envelope
import Foundation

/// A flow the operator can pause and resume.
public enum ControlFlow: Codable, Hashable, Sendable, CustomStringConvertible {
    /// New SMTP sessions (answered `421` while paused).
    case smtp
    /// Delivery to remote servers (relay, smarthost, LMTP).
    case mta
    /// Local delivery (maildir, mbox, MDA).
    case mda
    /// Delivery to one recipient domain.
    case destination(String)

    public var description: String {
        switch self {
        case .smtp: "smtp"
        case .mta: "mta"
        case .mda: "mda"
        case .destination(let domain): "destination \(domain)"
        }
    }
}

/// The messages a command applies to.
public enum MessageSelection: Codable, Hashable, Sendable {
    /// Every message in the queue.
    case all
    /// These message ids.
    case messages([String])
}

/// Filters of `show queue`; every given filter must match.
public struct QueueQuery: Codable, Hashable, Sendable {
    /// The sender contains this text (case-insensitive).
    public var sender: String?
    /// A recipient contains this text (case-insensitive).
    public var recipient: String?
    /// A recipient's domain is exactly this (case-insensitive).
    public var domain: String?
    /// A recipient is in this state (`scheduled`, `held`, `delivered`, `failed`).
    public var state: String?
    /// Arrived at least this many seconds ago.
    public var minimumAge: TimeInterval?
    /// Arrived at most this many seconds ago.
    public var maximumAge: TimeInterval?
    /// Include completed messages kept for replay.
    public var includeCompleted: Bool

    public init(sender: String? = nil, recipient: String? = nil, domain: String? = nil, state: String? = nil,
                minimumAge: TimeInterval? = nil, maximumAge: TimeInterval? = nil, includeCompleted: Bool = false) {
        self.sender = sender
        self.recipient = recipient
        self.domain = domain
        self.state = state
        self.minimumAge = minimumAge
        self.maximumAge = maximumAge
        self.includeCompleted = includeCompleted
    }

    /// Whether a message passes the filters at `now`.
    public func matches(_ envelope: Envelope, _ recipients: [Recipient], completed: Bool, now: Date) -> Bool {
        if completed && !includeCompleted { return false }
        if let sender, !(envelope.sender.address?.description ?? "").localizedCaseInsensitiveContains(sender) { return false }
        let age = now.timeIntervalSince(envelope.arrival)
        if let minimumAge, age < minimumAge { return false }
        if let maximumAge, age > maximumAge { return false }
        return recipients.contains { rcpt in
            (recipient.map { rcpt.address.description.localizedCaseInsensitiveContains($0) } ?? true)
                && (domain.map { rcpt.address.normalizedDomain == $0.lowercased() } ?? true)
                && (state.map { "\(rcpt.state)" == $0 } ?? true)
        }
    }
}

/// One message as `show queue` and `show message` report it.
public struct MessageReport: Codable, Hashable, Sendable {
    /// One recipient and where it stands.
    public struct RecipientReport: Codable, Hashable, Sendable {
        public var address: String
        public var state: String
        public var attempts: UInt32
        public var nextAttempt: Date
        public var lastAttempt: Date?
        public var lastStatus: String?
        public var lastReply: String?
        public var remoteHost: String?
        public var notify: String?
        public var originalRecipient: String?
        /// An attempt is running right now.
        public var inFlight: Bool
    }

    public var id: String
    public var sender: String
    public var size: Int
    public var arrival: Date
    public var expiry: Date
    public var client: String
    public var helo: String
    public var authUser: String?
    public var tag: String?
    public var envelopeID: String?
    public var ret: String?
    public var completed: Date?
    public var recipients: [RecipientReport]

    /// The report of a stored message; `inFlight` holds the indices being attempted.
    public init(envelope: Envelope, recipients: [Recipient], completed: Date?, inFlight: Set<Int> = []) {
        id = envelope.id.description
        sender = envelope.sender.address?.description ?? ""
        size = envelope.size
        arrival = envelope.arrival
        expiry = envelope.expiry
        client = envelope.clientAddress
        helo = envelope.heloName
        authUser = envelope.authUser
        tag = envelope.listenerTag
        envelopeID = envelope.envelopeID
        ret = envelope.ret?.parameterValue
        self.completed = completed
        self.recipients = recipients.enumerated().map { index, recipient in
            RecipientReport(
                address: recipient.address.description, state: "\(recipient.state)", attempts: recipient.attempts,
                nextAttempt: recipient.nextAttempt, lastAttempt: recipient.lastAttempt,
                lastStatus: recipient.lastStatus?.description, lastReply: recipient.lastReply, remoteHost: recipient.remoteHost,
                notify: recipient.notify?.parameterValue,
                originalRecipient: recipient.originalRecipient.map { "\($0.addressType);\($0.address)" },
                inFlight: inFlight.contains(index)
            )
        }
    }
}

/// Named counters and gauges, in a stable order (`show stats`, `monitor`).
public struct StatisticsReport: Codable, Hashable, Sendable {
    /// One value: a counter only grows; a gauge goes up and down.
    public struct Entry: Codable, Hashable, Sendable {
        public var name: String
        public var value: Double
        public var isCounter: Bool

        public init(name: String, value: Double, isCounter: Bool) {
            self.name = name
            self.value = value
            self.isCounter = isCounter
        }
    }

    public var entries: [Entry]

    public init(entries: [Entry]) {
        self.entries = entries
    }
}

/// What `show status` reports.
public struct DaemonStatus: Codable, Hashable, Sendable {
    public var version: String
    public var hostname: String
    public var pid: Int32
    public var started: Date
    public var queuePath: String
    public var listeners: [String]
    /// Paused flows, as `ControlFlow` descriptions.
    public var paused: [String]

    public init(version: String, hostname: String, pid: Int32, started: Date, queuePath: String, listeners: [String], paused: [String]) {
        self.version = version
        self.hostname = hostname
        self.pid = pid
        self.started = started
        self.queuePath = queuePath
        self.listeners = listeners
        self.paused = paused
    }
}

/// One destination domain as `show hosts` reports it.
public struct DestinationReport: Codable, Hashable, Sendable {
    public var domain: String
    /// Deliveries running now.
    public var activeDeliveries: Int
    /// Deliveries waiting for a connection slot.
    public var waiting: Int
    /// Messages started within the current rate window.
    public var recentStarts: Int
    /// Until when the destination rests after failing as a whole.
    public var backedOffUntil: Date?
    public var backOffReason: String?
    public var paused: Bool

    public init(domain: String, activeDeliveries: Int = 0, waiting: Int = 0, recentStarts: Int = 0,
                backedOffUntil: Date? = nil, backOffReason: String? = nil, paused: Bool = false) {
        self.domain = domain
        self.activeDeliveries = activeDeliveries
        self.waiting = waiting
        self.recentStarts = recentStarts
        self.backedOffUntil = backedOffUntil
        self.backOffReason = backOffReason
        self.paused = paused
    }
}

/// Which completed messages `replay` queues again; every given criterion must hold.
public struct ReplayRequest: Codable, Hashable, Sendable {
    /// Only these message ids, when not empty.
    public var ids: [String]
    /// Only recipients in this domain.
    public var domain: String?
    /// Completed at or after this time.
    public var since: Date?
    /// Completed before this time.
    public var until: Date?

    public init(ids: [String] = [], domain: String? = nil, since: Date? = nil, until: Date? = nil) {
        self.ids = ids
        self.domain = domain
        self.since = since
        self.until = until
    }
}

/// A recipient a local program is about to submit, with its sender: asked
/// before the message exists (`tern-sendmail -bs` at each RCPT).
public struct RecipientCheck: Codable, Hashable, Sendable {
    /// The envelope sender; empty for the null sender `<>`.
    public var sender: String
    public var recipient: Submission.Recipient

    public init(sender: String, recipient: Submission.Recipient) {
        self.sender = sender
        self.recipient = recipient
    }
}

/// A message handed over by a local program, as the sendmail enqueuer builds it.
public struct Submission: Codable, Hashable, Sendable {
    /// One recipient with its DSN parameters.
    public struct Recipient: Codable, Hashable, Sendable {
        public var address: String
        /// `NEVER` or a comma-separated subset of `SUCCESS,FAILURE,DELAY`; nil for the default.
        public var notify: String?
        /// `ORCPT` as `type;address` (e.g. `rfc822;a@example.com`).
        public var originalRecipient: String?

        public init(address: String, notify: String? = nil, originalRecipient: String? = nil) {
            self.address = address
            self.notify = notify
            self.originalRecipient = originalRecipient
        }
    }

    /// The envelope sender; empty for the null sender `<>`.
    public var sender: String
    public var recipients: [Recipient]
    /// `FULL` or `HDRS`; nil when not given.
    public var ret: String?
    /// `ENVID`, as given (not xtext-encoded).
    public var envelopeID: String?
    /// The local user who submitted it.
    public var user: String?
    /// The message: header and body, CRLF or LF line endings.
    public var message: Data

    public init(sender: String, recipients: [Recipient], ret: String? = nil, envelopeID: String? = nil, user: String? = nil, message: Data) {
        self.sender = sender
        self.recipients = recipients
        self.ret = ret
        self.envelopeID = envelopeID
        self.user = user
        self.message = message
    }
}
