import Foundation

/// The daemon's counters and gauges at one instant, which `ternctl show
/// stats` and `ternctl monitor` print (as a `StatisticsReport`). Counters are
/// totals since the daemon started; gauges are current values (the queue
/// depth is sampled every few seconds, so it may lag by that much).
public struct DaemonStatistics: Codable, Hashable, Sendable {
    /// How many messages and recipients are in the journal, by state.
    public struct QueueDepth: Codable, Hashable, Sendable {
        /// Messages with at least one recipient not yet in a final state.
        public var messagesQueued: Int
        /// Completed messages kept for replay until the retention window passes.
        public var messagesCompleted: Int
        /// Recipients in the due index: waiting for an attempt or being attempted.
        public var recipientsScheduled: Int
        /// Recipients whose delivery attempt is running now (a subset of `recipientsScheduled`).
        public var recipientsInFlight: Int
        /// Recipients stored in all states, final ones included.
        public var recipientsStored: Int

        /// Creates a queue depth.
        public init(messagesQueued: Int = 0, messagesCompleted: Int = 0, recipientsScheduled: Int = 0, recipientsInFlight: Int = 0, recipientsStored: Int = 0) {
            self.messagesQueued = messagesQueued
            self.messagesCompleted = messagesCompleted
            self.recipientsScheduled = recipientsScheduled
            self.recipientsInFlight = recipientsInFlight
            self.recipientsStored = recipientsStored
        }
    }

    /// When the daemon started.
    public var started: Date
    /// Seconds since the daemon started, when the snapshot was taken.
    public var uptime: Double

    /// Messages stored durably by ingress (each one answered 250).
    public var messagesAccepted: Int
    /// Recipients of those messages.
    public var recipientsAccepted: Int
    /// RCPT commands refused by the rules.
    public var recipientsRejected: Int

    /// Recipient deliveries that succeeded.
    public var recipientsDelivered: Int
    /// Attempts that failed temporarily and were rescheduled.
    public var recipientsDeferred: Int
    /// Recipients that failed for good (bounced), expiry included.
    public var recipientsBounced: Int
    /// Delivery status notifications (bounces, delay warnings, success reports) enqueued.
    public var dsnsGenerated: Int

    /// SMTP sessions open now.
    public var sessionsCurrent: Int
    /// SMTP sessions accepted since start.
    public var sessionsTotal: Int
    /// Connections refused because a session limit was reached.
    public var sessionsRejected: Int

    /// Outbound SMTP/LMTP connections open now (in use or idle in the pool).
    public var outboundConnectionsCurrent: Int
    /// Outbound connections opened since start.
    public var outboundConnectionsTotal: Int

    /// Journal transactions committed (each one sync).
    public var journalCommits: Int
    /// Submissions folded into those commits.
    public var journalSubmissions: Int
    /// The most submissions one commit carried.
    public var journalLargestBatch: Int

    /// The journal's contents by state.
    public var queue: QueueDepth

    /// Creates a snapshot; every count defaults to zero.
    public init(
        started: Date, uptime: Double,
        messagesAccepted: Int = 0, recipientsAccepted: Int = 0, recipientsRejected: Int = 0,
        recipientsDelivered: Int = 0, recipientsDeferred: Int = 0, recipientsBounced: Int = 0, dsnsGenerated: Int = 0,
        sessionsCurrent: Int = 0, sessionsTotal: Int = 0, sessionsRejected: Int = 0,
        outboundConnectionsCurrent: Int = 0, outboundConnectionsTotal: Int = 0,
        journalCommits: Int = 0, journalSubmissions: Int = 0, journalLargestBatch: Int = 0,
        queue: QueueDepth = QueueDepth()
    ) {
        self.started = started
        self.uptime = uptime
        self.messagesAccepted = messagesAccepted
        self.recipientsAccepted = recipientsAccepted
        self.recipientsRejected = recipientsRejected
        self.recipientsDelivered = recipientsDelivered
        self.recipientsDeferred = recipientsDeferred
        self.recipientsBounced = recipientsBounced
        self.dsnsGenerated = dsnsGenerated
        self.sessionsCurrent = sessionsCurrent
        self.sessionsTotal = sessionsTotal
        self.sessionsRejected = sessionsRejected
        self.outboundConnectionsCurrent = outboundConnectionsCurrent
        self.outboundConnectionsTotal = outboundConnectionsTotal
        self.journalCommits = journalCommits
        self.journalSubmissions = journalSubmissions
        self.journalLargestBatch = journalLargestBatch
        self.queue = queue
    }
}
