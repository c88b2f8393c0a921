import Foundation
import TestSupport
import Testing

/// The Prometheus endpoint of a real ternd, scraped over HTTP and parsed.
@Suite("Metrics end to end", .serialized)
struct MetricsTests {
    static let config = """
        hostname mx.test
        queue path "$DIR/var/queue" retry 1s..4s
        listen on 127.0.0.1 port $PORT
        metrics listen on 127.0.0.1 port $PORT2
        action "local" maildir "$DIR/mail/%{user.username}/Maildir"
        match from any for domain "example.test" action "local"
        """

    /// One `GET` over HTTP/1.0; returns the status line and the body.
    static func get(_ path: String, port: Int) throws -> (status: String, body: String) {
        let client = try RawSMTPClient(port: port)
        client.send("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        let response = client.readToEnd()
        guard let split = response.range(of: "\r\n\r\n") else { throw HarnessError("no HTTP response: \(response)") }
        let status = String(response[..<split.lowerBound].prefix { $0 != "\r" })
        return (status, String(response[split.upperBound...]))
    }

    static func scrape(_ daemon: TernDaemonProcess) throws -> PrometheusExposition {
        let (status, body) = try get("/metrics", port: daemon.port2)
        guard status.hasPrefix("HTTP/1.0 200") else { throw HarnessError("scrape answered \(status)") }
        return try PrometheusExposition(body)
    }

    @Test("accepted and delivered counters and the queue-depth gauges match two messages delivered to a maildir")
    func countersAfterDelivery() throws {
        let daemon = try TernDaemonProcess(config: Self.config)
        let before = try Self.scrape(daemon)
        #expect(before.value("tern_messages_accepted_total") == 0)
        #expect(before.types["tern_deliveries_total"] == "counter")

        let first = try IngressTests.swaks(daemon.port, ["--from", "alice@example.org", "--to", "bob@example.test,carol@example.test"])
        #expect(first.status == 0, "\(first.output)")
        let second = try IngressTests.swaks(daemon.port, ["--from", "alice@example.org", "--to", "dave@example.test"])
        #expect(second.status == 0, "\(second.output)")
        let rejected = try IngressTests.swaks(daemon.port, ["--from", "alice@example.org", "--to", "eve@elsewhere.example"])
        #expect(rejected.status != 0)

        // Delivery and the 5-second queue sample both have to happen.
        var metrics = try Self.scrape(daemon)
        #expect(LocalDeliveryTests.eventually(30) {
            metrics = (try? Self.scrape(daemon)) ?? metrics
            return metrics.value("tern_deliveries_total", ["outcome": "delivered"]) == 3
                && metrics.value("tern_queue_messages", ["state": "completed"]) == 2
        }, "\(metrics.samples)")
        #expect(metrics.value("tern_messages_accepted_total") == 2)
        #expect(metrics.value("tern_recipients_accepted_total") == 3)
        #expect(metrics.value("tern_recipients_rejected_total") == 1)
        #expect(metrics.value("tern_deliveries_total", ["outcome": "deferred"]) == 0)
        #expect(metrics.value("tern_deliveries_total", ["outcome": "bounced"]) == 0)
        #expect(metrics.value("tern_queue_messages", ["state": "queued"]) == 0)
        #expect(metrics.value("tern_queue_recipients", ["state": "scheduled"]) == 0)
        #expect(metrics.value("tern_queue_recipients", ["state": "in_flight"]) == 0)
        #expect(metrics.value("tern_delivery_latency_seconds_count") == 3)
        // The harness's own readiness probe is a session too.
        #expect((metrics.value("tern_smtp_sessions_total") ?? 0) >= 3)
        #expect(metrics.value("tern_smtp_sessions") == 0)
        #expect((metrics.value("tern_journal_commits_total") ?? 0) >= 2)
        #expect((metrics.value("tern_journal_commit_batch_size_count") ?? 0) >= 2)
        #expect(metrics.types["tern_journal_commit_duration_seconds"] == "histogram")
        #expect(LocalDeliveryTests.files(in: daemon.workspace.file("mail/bob/Maildir/new")).count == 1)
    }

    @Test("relaying to an SMTP server counts an outbound connection and the attempt's duration")
    func outboundConnections() throws {
        let workspace = Workspace()
        let sinkPort = freePort()
        let sink = try startSink("127.0.0.1", port: sinkPort, name: "out", workspace: workspace)
        defer { sink.stop() }
        let daemon = try TernDaemonProcess(config: Self.config + "\naction \"out\" relay host smtp://127.0.0.1:\(sinkPort)\nmatch from any for domain \"remote.test\" action \"out\"\n", workspace: workspace)
        let sent = try IngressTests.swaks(daemon.port, ["--from", "alice@example.org", "--to", "zed@remote.test"])
        #expect(sent.status == 0, "\(sent.output)")
        var metrics = try Self.scrape(daemon)
        #expect(LocalDeliveryTests.eventually(30) {
            metrics = (try? Self.scrape(daemon)) ?? metrics
            return metrics.value("tern_deliveries_total", ["outcome": "delivered"]) == 1
        }, "\(daemon.log)")
        #expect(metrics.value("tern_outbound_connections_total") == 1)
        #expect((metrics.value("tern_outbound_connections") ?? -1) <= 1)
        #expect(metrics.value("tern_delivery_attempt_duration_seconds_count") == 1)
    }

    @Test("anything but /metrics is 404, and the endpoint stops with the daemon")
    func notFoundAndShutdown() throws {
        let daemon = try TernDaemonProcess(config: Self.config)
        #expect(try Self.get("/", port: daemon.port2).status.hasPrefix("HTTP/1.0 404"))
        #expect(daemon.stop() == 0)
        #expect(!canConnect(port: daemon.port2))
    }
}
