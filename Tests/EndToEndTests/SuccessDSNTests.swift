import Foundation
import Testing
import TestSupport

/// NOTIFY=SUCCESS through the real ternd (RFC 3461 §6.2): `delivered` on
/// final delivery, `relayed` past a next hop that does not announce DSN,
/// and no report of ours when the next hop takes the request over.
@Suite("Success DSNs end to end", .serialized)
struct SuccessDSNTests {
    static func config(sinkPort: Int = 25) -> String {
        """
        hostname mx.test
        queue path "$DIR/var/queue" retry 1s..2s expire 1h warn 30m
        listen on 127.0.0.1 port $PORT
        action "local" maildir "$DIR/mail/%{user.username}/Maildir"
        action "out" relay host smtp://127.0.0.1:\(sinkPort)
        match from any for domain "sender.test" action "local"
        match from any for domain "local.test" action "local"
        match from any for domain "example.test" action "out"
        """
    }

    /// Sends one message from alice@sender.test to `recipient` with NOTIFY=SUCCESS and an ORCPT.
    static func sendWithSuccessNotice(_ daemon: TernDaemonProcess, to recipient: String) throws -> String {
        let client = try RawSMTPClient(port: daemon.port)
        _ = client.reply()
        _ = client.command("EHLO client.test")
        #expect(client.command("MAIL FROM:<alice@sender.test> ENVID=env-42")?.hasPrefix("250") == true)
        #expect(client.command("RCPT TO:<\(recipient)> NOTIFY=SUCCESS ORCPT=rfc822;\(recipient)")?.hasPrefix("250") == true)
        #expect(client.command("DATA")?.hasPrefix("354") == true)
        client.send("Subject: notify me\r\nMessage-ID: <notify@sender.test>\r\n\r\nbody\r\n.\r\n")
        let reply = try #require(client.reply())
        _ = client.command("QUIT")
        return try #require(IngressTests.queuedID(in: reply), "\(reply)")
    }

    /// The reports in alice@sender.test's maildir.
    static func reports(_ daemon: TernDaemonProcess) throws -> [String] {
        let inbox = daemon.workspace.file("mail/alice/Maildir/new")
        return try LocalDeliveryTests.files(in: inbox).map { try String(contentsOfFile: inbox + "/" + $0, encoding: .utf8) }
    }

    @Test("maildir delivery with NOTIFY=SUCCESS: a 'delivered' DSN reaches the sender", .timeLimit(.minutes(1)))
    func deliveredLocally() throws {
        let daemon = try TernDaemonProcess(config: Self.config())
        let id = try Self.sendWithSuccessNotice(daemon, to: "bob@local.test")
        #expect(LocalDeliveryTests.eventually(30) { LocalDeliveryTests.files(in: daemon.workspace.file("mail/bob/Maildir/new")).count == 1 })
        #expect(LocalDeliveryTests.eventually(30) { (try? Self.reports(daemon).count) == 1 }, "\(daemon.log)")
        let report = try #require(try Self.reports(daemon).first)
        #expect(report.contains("Return-Path: <>"))
        #expect(report.contains("Content-Type: multipart/report; report-type=delivery-status"))
        #expect(report.contains("Original-Envelope-Id: env-42"))
        #expect(report.contains("Original-Recipient: rfc822; bob@local.test"))
        #expect(report.contains("Final-Recipient: rfc822; bob@local.test"))
        #expect(report.contains("Action: delivered"))
        #expect(report.contains("Status: 2.0.0"))
        #expect(report.contains("In-Reply-To: <notify@sender.test>"))
        #expect(daemon.log.contains("id=\(id) to=<bob@local.test> relay=local"))
        Thread.sleep(forTimeInterval: 1)
        #expect(try Self.reports(daemon).count == 1, "the DSN itself is never reported on")
    }

    @Test("relayed to a server without DSN: a 'relayed' DSN, and no DSN parameters on the wire", .timeLimit(.minutes(1)))
    func relayedWithoutDSN() throws {
        let workspace = Workspace()
        let sinkPort = freePort()
        let sink = try startSink("127.0.0.1", port: sinkPort, name: "nodsn", workspace: workspace, options: ["-N"])
        let daemon = try TernDaemonProcess(config: Self.config(sinkPort: sinkPort), workspace: workspace)
        _ = try Self.sendWithSuccessNotice(daemon, to: "bob@example.test")
        // smtp-sink creates its dump file before it has written it: wait for the content.
        #expect(LocalDeliveryTests.eventually(30) { sinkMessages("nodsn", workspace: workspace).first?.contains("X-Rcpt-Args") == true })
        let dump = try #require(sinkMessages("nodsn", workspace: workspace).first)
        #expect(dump.contains("X-Rcpt-Args: <bob@example.test>\n"), "\(dump)")
        #expect(!dump.contains("NOTIFY="))
        #expect(LocalDeliveryTests.eventually(30) { (try? Self.reports(daemon).count) == 1 }, "\(daemon.log)")
        let report = try #require(try Self.reports(daemon).first)
        #expect(report.contains("Final-Recipient: rfc822; bob@example.test"))
        #expect(report.contains("Original-Recipient: rfc822; bob@example.test"))
        #expect(report.contains("Action: relayed"))
        #expect(report.contains("Status: 2.0.0"))
        // RFC 3464 §2.3.5: the MTA's name, not the log form name[address]:port.
        #expect(report.contains("\nRemote-MTA: dns; 127.0.0.1\n"), "\(report)")
        withExtendedLifetime(sink) {}
    }

    @Test("relayed to a server with DSN: NOTIFY and ORCPT go on with the message, no DSN of ours", .timeLimit(.minutes(1)))
    func relayedWithDSN() throws {
        let workspace = Workspace()
        let sinkPort = freePort()
        let sink = try startSink("127.0.0.1", port: sinkPort, name: "dsn", workspace: workspace)
        let daemon = try TernDaemonProcess(config: Self.config(sinkPort: sinkPort), workspace: workspace)
        let id = try Self.sendWithSuccessNotice(daemon, to: "bob@example.test")
        #expect(LocalDeliveryTests.eventually(30) { sinkMessages("dsn", workspace: workspace).first?.contains("ENVID=") == true })
        let dump = try #require(sinkMessages("dsn", workspace: workspace).first)
        // smtp-sink writes each RCPT command's arguments as an X-Rcpt-Args line.
        #expect(dump.contains("X-Rcpt-Args: <bob@example.test> NOTIFY=SUCCESS ORCPT=rfc822;bob@example.test\n"), "\(dump)")
        #expect(dump.contains("X-Mail-Args: <alice@sender.test>"), "\(dump)")
        #expect(dump.contains("ENVID=env-42"), "\(dump)")
        #expect(LocalDeliveryTests.eventually(10) { daemon.log.contains("id=\(id) to=<bob@example.test>") && daemon.log.contains("status=sent") })
        Thread.sleep(forTimeInterval: 1.5)
        #expect(try Self.reports(daemon).isEmpty, "the next hop took over the DSN duty")
        withExtendedLifetime(sink) {}
    }
}
