import CoreMetrics
import Envelope
import Foundation
import Metrics
import Prometheus
import Queue
import Synchronization
import Transport

/// The one place every instrumentation point of the daemon reports to.
///
/// Each call (a) records to swift-metrics through the factory it was made
/// with (Prometheus in the daemon) and (b) keeps in-process totals, so that
/// `snapshot()` can answer `ternctl show stats` without scraping.
///
/// Metric names (Prometheus, text exposition format 0.0.4):
/// `tern_messages_accepted_total`, `tern_recipients_accepted_total`,
/// `tern_recipients_rejected_total`, `tern_deliveries_total{outcome}`
/// (delivered, deferred, bounced), `tern_dsns_generated_total`,
/// `tern_delivery_latency_seconds` (arrival to delivery),
/// `tern_queue_residence_seconds{outcome}` (arrival to a final state),
/// `tern_delivery_attempt_duration_seconds`, `tern_smtp_sessions`,
/// `tern_smtp_sessions_total`, `tern_smtp_sessions_rejected_total`,
/// `tern_outbound_connections`, `tern_outbound_connections_total`,
/// `tern_journal_commits_total`, `tern_journal_commit_batch_size`,
/// `tern_journal_commit_duration_seconds`, `tern_queue_messages{state}`,
/// `tern_queue_recipients{state}`, `tern_start_time_seconds`.
public final class DaemonMetrics: Sendable {
    /// Metric names, shared by the recorders and the histogram buckets.
    enum Name {
        static let deliveryLatency = "tern_delivery_latency_seconds"
        static let queueResidence = "tern_queue_residence_seconds"
        static let attemptDuration = "tern_delivery_attempt_duration_seconds"
        static let commitDuration = "tern_journal_commit_duration_seconds"
        static let commitBatchSize = "tern_journal_commit_batch_size"
    }

    private let started: Date
    private let totals: Mutex<DaemonStatistics>

    private let messagesAccepted: CoreMetrics.Counter
    private let recipientsAccepted: CoreMetrics.Counter
    private let recipientsRejected: CoreMetrics.Counter
    private let delivered: CoreMetrics.Counter
    private let deferred: CoreMetrics.Counter
    private let bounced: CoreMetrics.Counter
    private let dsnsGenerated: CoreMetrics.Counter
    private let deliveryLatency: Metrics.Timer
    private let residenceDelivered: Metrics.Timer
    private let residenceBounced: Metrics.Timer
    private let attemptDuration: Metrics.Timer
    private let sessions: CoreMetrics.Meter
    private let sessionsTotal: CoreMetrics.Counter
    private let sessionsRejected: CoreMetrics.Counter
    private let outbound: CoreMetrics.Meter
    private let outboundTotal: CoreMetrics.Counter
    private let commits: CoreMetrics.Counter
    private let commitBatchSize: CoreMetrics.Recorder
    private let commitDuration: Metrics.Timer
    private let messagesQueued: CoreMetrics.Gauge
    private let messagesCompleted: CoreMetrics.Gauge
    private let recipientsScheduled: CoreMetrics.Gauge
    private let recipientsInFlight: CoreMetrics.Meter
    private let recipientsStored: CoreMetrics.Gauge

    /// Creates the metrics, registering them with `factory`.
    public init(factory: any MetricsFactory, started: Date = Date()) {
        self.started = started
        totals = Mutex(DaemonStatistics(started: started, uptime: 0))
        messagesAccepted = CoreMetrics.Counter(label: "tern_messages_accepted_total", factory: factory)
        recipientsAccepted = CoreMetrics.Counter(label: "tern_recipients_accepted_total", factory: factory)
        recipientsRejected = CoreMetrics.Counter(label: "tern_recipients_rejected_total", factory: factory)
        delivered = CoreMetrics.Counter(label: "tern_deliveries_total", dimensions: [("outcome", "delivered")], factory: factory)
        deferred = CoreMetrics.Counter(label: "tern_deliveries_total", dimensions: [("outcome", "deferred")], factory: factory)
        bounced = CoreMetrics.Counter(label: "tern_deliveries_total", dimensions: [("outcome", "bounced")], factory: factory)
        dsnsGenerated = CoreMetrics.Counter(label: "tern_dsns_generated_total", factory: factory)
        deliveryLatency = Metrics.Timer(label: Name.deliveryLatency, factory: factory)
        residenceDelivered = Metrics.Timer(label: Name.queueResidence, dimensions: [("outcome", "delivered")], factory: factory)
        residenceBounced = Metrics.Timer(label: Name.queueResidence, dimensions: [("outcome", "bounced")], factory: factory)
        attemptDuration = Metrics.Timer(label: Name.attemptDuration, factory: factory)
        sessions = CoreMetrics.Meter(label: "tern_smtp_sessions", factory: factory)
        sessionsTotal = CoreMetrics.Counter(label: "tern_smtp_sessions_total", factory: factory)
        sessionsRejected = CoreMetrics.Counter(label: "tern_smtp_sessions_rejected_total", factory: factory)
        outbound = CoreMetrics.Meter(label: "tern_outbound_connections", factory: factory)
        outboundTotal = CoreMetrics.Counter(label: "tern_outbound_connections_total", factory: factory)
        commits = CoreMetrics.Counter(label: "tern_journal_commits_total", factory: factory)
        commitBatchSize = Recorder(label: Name.commitBatchSize, factory: factory)
        commitDuration = Metrics.Timer(label: Name.commitDuration, factory: factory)
        messagesQueued = CoreMetrics.Gauge(label: "tern_queue_messages", dimensions: [("state", "queued")], factory: factory)
        messagesCompleted = CoreMetrics.Gauge(label: "tern_queue_messages", dimensions: [("state", "completed")], factory: factory)
        recipientsScheduled = CoreMetrics.Gauge(label: "tern_queue_recipients", dimensions: [("state", "scheduled")], factory: factory)
        recipientsInFlight = CoreMetrics.Meter(label: "tern_queue_recipients", dimensions: [("state", "in_flight")], factory: factory)
        recipientsStored = CoreMetrics.Gauge(label: "tern_queue_recipients", dimensions: [("state", "stored")], factory: factory)
        CoreMetrics.Gauge(label: "tern_start_time_seconds", factory: factory).record(started.timeIntervalSince1970)
        recipientsInFlight.set(0)
        sessions.set(0)
        outbound.set(0)
    }

    /// The counters and gauges now.
    public func snapshot(now: Date = Date()) -> DaemonStatistics {
        var statistics = totals.withLock { $0 }
        statistics.uptime = max(0, now.timeIntervalSince(started))
        return statistics
    }

    // MARK: - Ingress

    /// A message was stored durably with `recipients` recipients.
    func messageAccepted(recipients: Int) {
        messagesAccepted.increment()
        recipientsAccepted.increment(by: recipients)
        totals.withLock {
            $0.messagesAccepted += 1
            $0.recipientsAccepted += recipients
        }
    }

    /// A RCPT was refused by the rules.
    func recipientRejected() {
        recipientsRejected.increment()
        totals.withLock { $0.recipientsRejected += 1 }
    }

    /// An SMTP session began.
    func sessionOpened() {
        sessions.increment()
        sessionsTotal.increment()
        totals.withLock {
            $0.sessionsCurrent += 1
            $0.sessionsTotal += 1
        }
    }

    /// An SMTP session ended.
    func sessionClosed() {
        sessions.decrement()
        totals.withLock { $0.sessionsCurrent -= 1 }
    }

    /// A connection was refused because a session limit was reached.
    func sessionRejected() {
        sessionsRejected.increment()
        totals.withLock { $0.sessionsRejected += 1 }
    }

    // MARK: - Delivery

    /// A delivery attempt for `recipients` recipients began.
    func attemptStarted(recipients: Int) {
        recipientsInFlight.increment(by: Double(recipients))
        totals.withLock { $0.queue.recipientsInFlight += recipients }
    }

    /// The attempt begun by `attemptStarted` ended after `duration`.
    func attemptFinished(recipients: Int, duration: Duration) {
        recipientsInFlight.decrement(by: Double(recipients))
        attemptDuration.record(duration: duration)
        totals.withLock { $0.queue.recipientsInFlight -= recipients }
    }

    /// Outcomes recorded durably: each recipient's new state, with the
    /// message's arrival time, and the number of DSNs enqueued with them.
    func outcomesRecorded(_ states: [RecipientState], arrival: Date, now: Date, dsns: Int) {
        let residence = Duration.seconds(max(0, now.timeIntervalSince(arrival)))
        var counts = (delivered: 0, deferred: 0, bounced: 0)
        for state in states {
            switch state {
            case .delivered:
                counts.delivered += 1
                deliveryLatency.record(duration: residence)
                residenceDelivered.record(duration: residence)
            case .failed:
                counts.bounced += 1
                residenceBounced.record(duration: residence)
            case .scheduled, .held:
                counts.deferred += 1
            }
        }
        delivered.increment(by: counts.delivered)
        deferred.increment(by: counts.deferred)
        bounced.increment(by: counts.bounced)
        dsnsGenerated.increment(by: dsns)
        totals.withLock {
            $0.recipientsDelivered += counts.delivered
            $0.recipientsDeferred += counts.deferred
            $0.recipientsBounced += counts.bounced
            $0.dsnsGenerated += dsns
        }
    }

    /// An outbound SMTP/LMTP connection was opened.
    func outboundConnectionOpened() {
        outbound.increment()
        outboundTotal.increment()
        totals.withLock {
            $0.outboundConnectionsCurrent += 1
            $0.outboundConnectionsTotal += 1
        }
    }

    /// An outbound connection closed.
    func outboundConnectionClosed() {
        outbound.decrement()
        totals.withLock { $0.outboundConnectionsCurrent -= 1 }
    }

    // MARK: - Journal

    /// The journal committed `submissions` submissions in one transaction taking `duration`.
    func journalCommitted(submissions: Int, duration: Duration) {
        commits.increment()
        commitBatchSize.record(submissions)
        commitDuration.record(duration: duration)
        totals.withLock {
            $0.journalCommits += 1
            $0.journalSubmissions += submissions
            $0.journalLargestBatch = max($0.journalLargestBatch, submissions)
        }
    }

    /// The journal's entry counts, sampled.
    func queueSampled(_ counts: JournalCounts) {
        let queued = max(0, counts.messages - counts.completed)
        messagesQueued.record(queued)
        messagesCompleted.record(counts.completed)
        recipientsScheduled.record(counts.scheduled)
        recipientsStored.record(counts.recipients)
        totals.withLock {
            $0.queue.messagesQueued = queued
            $0.queue.messagesCompleted = counts.completed
            $0.queue.recipientsScheduled = counts.scheduled
            $0.queue.recipientsStored = counts.recipients
        }
    }

    // MARK: - Prometheus

    /// A Prometheus factory over `registry` with buckets suited to each histogram.
    public static func prometheusFactory(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        let residence: [Duration] = [
            .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5), .seconds(15), .seconds(60),
            .seconds(300), .seconds(900), .seconds(3600), .seconds(4 * 3600), .seconds(86400), .seconds(4 * 86400),
        ]
        factory.durationHistogramBuckets = [
            Name.deliveryLatency: residence,
            Name.queueResidence: residence,
            Name.attemptDuration: [
                .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(250), .milliseconds(500),
                .seconds(1), .seconds(2), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(300),
            ],
            Name.commitDuration: [
                .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
                .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1),
            ],
        ]
        factory.valueHistogramBuckets = [Name.commitBatchSize: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]]
        return factory
    }

    /// The process-wide Prometheus registry. The first use bootstraps
    /// swift-metrics with it, which may happen only once per process.
    public static let processRegistry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(prometheusFactory(registry: registry))
        return registry
    }()
}
