import Foundation
import Testing
import TestSupport

/// Recipients of one message at two destinations (two smtp-sinks found
/// through dnsmasq) that fail in the same pass are reported in one DSN
/// (RFC 3461 §6.2, DESIGN.md "DSN and bounces"), parsed with Python's
/// `email` package.
@Suite("Grouped bounces end to end", .serialized)
struct GroupedBounceTests {
    static let config = """
        hostname relay.test
        queue path "$DIR/var/queue" retry 1s..2s expire 1h warn 30m
        resolver 127.0.0.1 port $DNS
        listen on 127.0.0.1 port $PORT
        action "out" relay helo relay.test
        action "local" maildir "$DIR/mail/%{user.username}/Maildir"
        match from any for domain "sender.test" action "local"
        match from any for domain "example.test" action "out"
        match from any for domain "other.test" action "out"
        """

    static let records = [
        "--mx-host=example.test,mx.example.test,10",
        "--host-record=mx.example.test,127.0.0.31",
        "--mx-host=other.test,mx.other.test,10",
        "--host-record=mx.other.test,127.0.0.32",
    ]

    static let reject = ["-f", "RCPT", "-B", "550 5.1.1 No such user here"]

    /// Per-recipient fields of the one `message/delivery-status` part of `path`, read by Python's `email` package.
    static func deliveryStatus(_ path: String, workspace: Workspace) throws -> [[String: String]] {
        let script = workspace.write("dsn.py", """
            import email, json, sys
            with open(sys.argv[1], "rb") as f:
                message = email.message_from_binary_file(f)
            assert message.get_content_type() == "multipart/report", message.get_content_type()
            parts = [p for p in message.walk() if p.get_content_type() == "message/delivery-status"]
            assert len(parts) == 1, len(parts)
            blocks = parts[0].get_payload()
            print(json.dumps([{k: v for k, v in block.items()} for block in blocks[1:]]))
            """)
        let result = try runCommand(try requireTool("/usr/bin/python3"), [script, path])
        #expect(result.status == 0, "\(result.error)")
        return (try JSONSerialization.jsonObject(with: result.outputData) as? [[String: String]]) ?? []
    }

    /// Starts dnsmasq, the two sinks and ternd; sends one message to a recipient at each destination.
    static func send(
        exampleOptions: [String], otherOptions: [String], workspace: Workspace
    ) throws -> (daemon: TernDaemonProcess, id: String, peers: [PeerProcess]) {
        let (dns, dnsPort) = try startDNS(records)
        let example = try startSink("127.0.0.31", name: "example", workspace: workspace, options: exampleOptions)
        let other = try startSink("127.0.0.32", name: "other", workspace: workspace, options: otherOptions)
        let daemon = try TernDaemonProcess(config: config.replacingOccurrences(of: "$DNS", with: "\(dnsPort)"), workspace: workspace)
        let id = try LocalDeliveryTests.send(
            daemon, from: "alice@sender.test", to: "bob@example.test,carol@other.test",
            body: "Subject: two destinations\r\nMessage-ID: <two@sender.test>\r\n\r\nbody\r\n"
        )
        return (daemon, id, [dns, example, other])
    }

    /// Waits until the message `id` is completed and a report has arrived; returns the report files.
    static func reports(after id: String, _ daemon: TernDaemonProcess) throws -> [String] {
        let inbox = daemon.workspace.file("mail/alice/Maildir/new")
        #expect(try LocalDeliveryTests.eventually(30) {
            try daemon.queue().first { $0["id"] as? String == id }?["completed"] != nil && !LocalDeliveryTests.files(in: inbox).isEmpty
        }, "\(daemon.log)")
        // A second report would be committed with the outcomes; give its delivery time to show.
        Thread.sleep(forTimeInterval: 1.5)
        return LocalDeliveryTests.files(in: inbox).map { inbox + "/" + $0 }
    }

    @Test("both destinations answer 550 in one pass: exactly one DSN lists both recipients as failed", .timeLimit(.minutes(1)))
    func bothFail() throws {
        let workspace = Workspace()
        let (daemon, id, peers) = try Self.send(exampleOptions: Self.reject, otherOptions: Self.reject, workspace: workspace)
        defer { withExtendedLifetime(peers) {} }
        let reports = try Self.reports(after: id, daemon)
        #expect(reports.count == 1, "\(daemon.log)")
        let report = try #require(reports.first)
        let recipients = try Self.deliveryStatus(report, workspace: workspace)
        #expect(recipients.map { $0["Final-Recipient"] } == ["rfc822; bob@example.test", "rfc822; carol@other.test"])
        #expect(recipients.map { $0["Action"] } == ["failed", "failed"])
        #expect(recipients.map { $0["Status"] } == ["5.1.1", "5.1.1"])
        #expect(recipients.map { $0["Remote-MTA"] } == ["dns; mx.example.test", "dns; mx.other.test"])
        #expect(recipients.allSatisfy { $0["Diagnostic-Code"] == "smtp; 550 5.1.1 No such user here" })
        #expect(daemon.log.components(separatedBy: "id=\(id) to=").count - 1 == 2)
        #expect(daemon.log.components(separatedBy: "status=bounced").count - 1 == 2)
    }

    @Test("one destination answers 550, the other accepts: one DSN for the failed recipient, one delivery", .timeLimit(.minutes(1)))
    func oneFailsOneDelivers() throws {
        let workspace = Workspace()
        let (daemon, id, peers) = try Self.send(exampleOptions: Self.reject, otherOptions: [], workspace: workspace)
        defer { withExtendedLifetime(peers) {} }
        let reports = try Self.reports(after: id, daemon)
        #expect(reports.count == 1, "\(daemon.log)")
        let report = try #require(reports.first)
        let recipients = try Self.deliveryStatus(report, workspace: workspace)
        #expect(recipients.map { $0["Final-Recipient"] } == ["rfc822; bob@example.test"])
        #expect(recipients.map { $0["Action"] } == ["failed"])
        #expect(!(try String(contentsOfFile: report, encoding: .utf8)).contains("carol@other.test"))
        let delivered = sinkMessages("other", workspace: workspace)
        #expect(delivered.count == 1)
        #expect(delivered.first?.contains("Subject: two destinations") == true)
        #expect(sinkMessages("example", workspace: workspace).isEmpty)
        #expect(daemon.log.components(separatedBy: "id=\(id) to=<carol@other.test>").count - 1 == 1)
        #expect(daemon.log.contains("id=\(id) to=<carol@other.test> relay=mx.other.test[127.0.0.32]:25"))
    }
}
