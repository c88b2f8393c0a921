import Foundation
import Prometheus
@testable import Queue
@testable import Server
import TestSupport
import Testing
import Transport

/// Every test makes its own registry: the global MetricsSystem is never bootstrapped here.
@Suite("DaemonMetrics")
struct DaemonMetricsTests {
    static func make() -> (DaemonMetrics, PrometheusCollectorRegistry) {
        let registry = PrometheusCollectorRegistry()
        return (DaemonMetrics(factory: DaemonMetrics.prometheusFactory(registry: registry), started: Date(timeIntervalSince1970: 1_000)), registry)
    }

    static func scrape(_ registry: PrometheusCollectorRegistry) throws -> PrometheusExposition {
        try PrometheusExposition(registry.emitToString())
    }

    @Test("ingress counters appear in the exposition and the snapshot")
    func ingress() throws {
        let (metrics, registry) = Self.make()
        metrics.messageAccepted(recipients: 3)
        metrics.messageAccepted(recipients: 1)
        metrics.recipientRejected()
        metrics.sessionOpened()
        metrics.sessionOpened()
        metrics.sessionClosed()
        metrics.sessionRejected()
        let text = try Self.scrape(registry)
        #expect(text.value("tern_messages_accepted_total") == 2)
        #expect(text.value("tern_recipients_accepted_total") == 4)
        #expect(text.value("tern_recipients_rejected_total") == 1)
        #expect(text.value("tern_smtp_sessions") == 1)
        #expect(text.value("tern_smtp_sessions_total") == 2)
        #expect(text.value("tern_smtp_sessions_rejected_total") == 1)
        #expect(text.types["tern_messages_accepted_total"] == "counter")
        #expect(text.types["tern_smtp_sessions"] == "gauge")
        let snapshot = metrics.snapshot(now: Date(timeIntervalSince1970: 1_010))
        #expect(snapshot.messagesAccepted == 2)
        #expect(snapshot.recipientsAccepted == 4)
        #expect(snapshot.recipientsRejected == 1)
        #expect(snapshot.sessionsCurrent == 1)
        #expect(snapshot.sessionsTotal == 2)
        #expect(snapshot.sessionsRejected == 1)
        #expect(snapshot.uptime == 10)
    }

    @Test("outcomes count delivered, deferred and bounced recipients and feed the latency histograms")
    func outcomes() throws {
        let (metrics, registry) = Self.make()
        let arrival = Date(timeIntervalSince1970: 2_000)
        metrics.attemptStarted(recipients: 4)
        #expect(metrics.snapshot().queue.recipientsInFlight == 4)
        metrics.outcomesRecorded([.delivered, .delivered, .scheduled, .failed], arrival: arrival, now: arrival.addingTimeInterval(3), dsns: 1)
        metrics.attemptFinished(recipients: 4, duration: .milliseconds(300))
        let text = try Self.scrape(registry)
        #expect(text.value("tern_deliveries_total", ["outcome": "delivered"]) == 2)
        #expect(text.value("tern_deliveries_total", ["outcome": "deferred"]) == 1)
        #expect(text.value("tern_deliveries_total", ["outcome": "bounced"]) == 1)
        #expect(text.value("tern_dsns_generated_total") == 1)
        #expect(text.types["tern_delivery_latency_seconds"] == "histogram")
        #expect(text.value("tern_delivery_latency_seconds_count") == 2)
        #expect(text.value("tern_delivery_latency_seconds_bucket", ["le": "1.0"]) == 0)
        #expect(text.value("tern_delivery_latency_seconds_bucket", ["le": "5.0"]) == 2)
        #expect(text.value("tern_delivery_latency_seconds_sum") == 6)
        #expect(text.value("tern_queue_residence_seconds_count", ["outcome": "bounced"]) == 1)
        #expect(text.value("tern_delivery_attempt_duration_seconds_bucket", ["le": "0.5"]) == 1)
        #expect(text.value("tern_delivery_attempt_duration_seconds_bucket", ["le": "0.25"]) == 0)
        #expect(text.value("tern_queue_recipients", ["state": "in_flight"]) == 0)
        let snapshot = metrics.snapshot()
        #expect(snapshot.recipientsDelivered == 2)
        #expect(snapshot.recipientsDeferred == 1)
        #expect(snapshot.recipientsBounced == 1)
        #expect(snapshot.dsnsGenerated == 1)
        #expect(snapshot.queue.recipientsInFlight == 0)
    }

    @Test("journal commits record batch sizes, the largest batch and commit latency")
    func journal() throws {
        let (metrics, registry) = Self.make()
        metrics.journalCommitted(submissions: 1, duration: .milliseconds(3))
        metrics.journalCommitted(submissions: 7, duration: .microseconds(800))
        let text = try Self.scrape(registry)
        #expect(text.value("tern_journal_commits_total") == 2)
        #expect(text.value("tern_journal_commit_batch_size_count") == 2)
        #expect(text.value("tern_journal_commit_batch_size_sum") == 8)
        #expect(text.value("tern_journal_commit_batch_size_bucket", ["le": "4.0"]) == 1)
        #expect(text.value("tern_journal_commit_batch_size_bucket", ["le": "8.0"]) == 2)
        #expect(text.value("tern_journal_commit_duration_seconds_bucket", ["le": "0.001"]) == 1)
        #expect(text.value("tern_journal_commit_duration_seconds_count") == 2)
        let snapshot = metrics.snapshot()
        #expect(snapshot.journalCommits == 2)
        #expect(snapshot.journalSubmissions == 8)
        #expect(snapshot.journalLargestBatch == 7)
    }

    @Test("queue samples set the depth gauges by state")
    func queueDepth() throws {
        let (metrics, registry) = Self.make()
        metrics.queueSampled(JournalCounts(messages: 10, recipients: 25, scheduled: 6, completed: 7))
        let text = try Self.scrape(registry)
        #expect(text.value("tern_queue_messages", ["state": "queued"]) == 3)
        #expect(text.value("tern_queue_messages", ["state": "completed"]) == 7)
        #expect(text.value("tern_queue_recipients", ["state": "scheduled"]) == 6)
        #expect(text.value("tern_queue_recipients", ["state": "stored"]) == 25)
        #expect(text.value("tern_start_time_seconds") == 1_000)
        #expect(metrics.snapshot().queue == DaemonStatistics.QueueDepth(
            messagesQueued: 3, messagesCompleted: 7, recipientsScheduled: 6, recipientsInFlight: 0, recipientsStored: 25
        ))
    }

    @Test("outbound connections are counted open and in total")
    func outbound() throws {
        let (metrics, registry) = Self.make()
        metrics.outboundConnectionOpened()
        metrics.outboundConnectionOpened()
        metrics.outboundConnectionClosed()
        let text = try Self.scrape(registry)
        #expect(text.value("tern_outbound_connections") == 1)
        #expect(text.value("tern_outbound_connections_total") == 2)
        #expect(metrics.snapshot().outboundConnectionsCurrent == 1)
        #expect(metrics.snapshot().outboundConnectionsTotal == 2)
    }

    @Test("the snapshot survives a JSON round trip")
    func snapshotCodable() throws {
        let (metrics, _) = Self.make()
        metrics.messageAccepted(recipients: 2)
        metrics.queueSampled(JournalCounts(messages: 1, recipients: 2, scheduled: 2, completed: 0))
        let snapshot = metrics.snapshot(now: Date(timeIntervalSince1970: 1_005))
        let decoded = try JSONDecoder().decode(DaemonStatistics.self, from: JSONEncoder().encode(snapshot))
        #expect(decoded == snapshot)
    }
}
