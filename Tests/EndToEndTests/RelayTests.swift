import Foundation
import Testing
import TestSupport

/// Relay to MX hosts found through dnsmasq, delivered to Postfix's smtp-sink
/// on 127.0.0.x port 25.
@Suite("Relay end to end", .serialized)
struct RelayTests {
    static func config(dnsPort: Int, extra: String = "") -> String {
        """
        hostname relay.test
        queue path "$DIR/var/queue" retry 1s..2s expire 1h warn 30m
        resolver 127.0.0.1 port \(dnsPort)
        listen on 127.0.0.1 port $PORT
        action "out" relay helo relay.test
        action "local" maildir "$DIR/mail/%{user.username}/Maildir"
        match from any for domain "sender.test" action "local"
        match from any for domain "example.test" action "out"
        match from any for domain "backup.test" action "out"
        match from any for domain "nullmx.test" action "out"
        match from any for domain "missing.test" action "out"
        match from any for domain "dead.test" action "out"
        \(extra)
        """
    }

    static let records = [
        "--mx-host=example.test,mx1.example.test,10",
        "--mx-host=example.test,mx2.example.test,20",
        "--host-record=mx1.example.test,127.0.0.3",
        "--host-record=mx2.example.test,127.0.0.2",
        "--mx-host=nullmx.test,.,0",
        "--mx-host=dead.test,mx.dead.test,10",
        "--host-record=mx.dead.test,127.0.0.9",
    ]

    @Test("MX order with fallback past a dead host, under a one-connection limit")
    func relayViaMX() throws {
        let workspace = Workspace()
        let (dns, dnsPort) = try startDNS(Self.records)
        let sink = try startSink("127.0.0.2", name: "mx2", workspace: workspace)
        let daemon = try TernDaemonProcess(config: Self.config(dnsPort: dnsPort, extra: "limit domain \"example.test\" connections 1"), workspace: workspace)
        let client = try RawSMTPClient(port: daemon.port)
        _ = client.reply()
        _ = client.command("EHLO client.test")
        for number in 1...3 {
            _ = client.command("MAIL FROM:<alice@sender.test>")
            _ = client.command("RCPT TO:<bob\(number)@example.test> NOTIFY=FAILURE ORCPT=rfc822;bob\(number)@example.test")
            _ = client.command("DATA")
            client.send("Subject: relay \(number)\r\n\r\nbody \(number)\r\n.\r\n")
            #expect(client.reply()?.hasPrefix("250") == true)
        }
        #expect(LocalDeliveryTests.eventually(30) { sinkMessages("mx2", workspace: workspace).count == 3 })
        let messages = sinkMessages("mx2", workspace: workspace)
        #expect(messages.allSatisfy { $0.contains("Received: from client.test") })
        #expect(messages.contains { $0.contains("Subject: relay 2") && $0.contains("bob2@example.test") })
        #expect(LocalDeliveryTests.eventually(10) { daemon.log.components(separatedBy: "status=sent").count - 1 == 3 })
        #expect(daemon.log.contains("relay=mx2.example.test[127.0.0.2]:25"))
        #expect(sinkCounters(sink).contains("mesg=3"))
        // Connection reuse: the three messages travelled over one connection.
        #expect(sinkCounters(sink).hasPrefix("sess=1 "), "\(sinkCounters(sink))")
        withExtendedLifetime(dns) {}
    }

    @Test("a 5xx from the remote bounces to the sender with the remote's own reply")
    func remoteRejects() throws {
        let workspace = Workspace()
        let (dns, dnsPort) = try startDNS(Self.records)
        let sink = try startSink("127.0.0.2", name: "mx2", workspace: workspace, options: ["-f", "RCPT", "-B", "550 5.1.1 No such user here"])
        defer { withExtendedLifetime((dns, sink)) {} }
        let daemon = try TernDaemonProcess(config: Self.config(dnsPort: dnsPort), workspace: workspace)
        _ = try LocalDeliveryTests.send(daemon, from: "alice@sender.test", to: "nobody@example.test", body: "Subject: x\r\n\r\ny\r\n")
        let inbox = workspace.file("mail/alice/Maildir/new")
        #expect(LocalDeliveryTests.eventually(30) { LocalDeliveryTests.files(in: inbox).count == 1 })
        let bounce = try String(contentsOfFile: inbox + "/" + LocalDeliveryTests.files(in: inbox)[0], encoding: .utf8)
        #expect(bounce.contains("Action: failed"))
        #expect(bounce.contains("Status: 5.1.1"))
        #expect(bounce.contains("Remote-MTA: dns; mx2.example.test\n"))
        #expect(bounce.contains("Diagnostic-Code: smtp; 550 5.1.1 No such user here"))
    }

    @Test("NXDOMAIN and null MX fail at once with 5.1.2 and 5.1.10, in one bounce")
    func permanentDNSFailures() throws {
        let workspace = Workspace()
        let (dns, dnsPort) = try startDNS(Self.records)
        defer { withExtendedLifetime(dns) {} }
        let daemon = try TernDaemonProcess(config: Self.config(dnsPort: dnsPort), workspace: workspace)
        _ = try LocalDeliveryTests.send(daemon, from: "alice@sender.test", to: "x@missing.test,y@nullmx.test", body: "Subject: x\r\n\r\ny\r\n")
        let inbox = workspace.file("mail/alice/Maildir/new")
        #expect(LocalDeliveryTests.eventually(30) { LocalDeliveryTests.files(in: inbox).count >= 1 })
        Thread.sleep(forTimeInterval: 0.5)
        #expect(LocalDeliveryTests.files(in: inbox).count == 1, "both failed in one pass: one report")
        let bounces = try LocalDeliveryTests.files(in: inbox).map { try String(contentsOfFile: inbox + "/" + $0, encoding: .utf8) }.joined()
        #expect(bounces.contains("Status: 5.1.2"))
        #expect(bounces.contains("Status: 5.1.10"))
    }

    @Test("a remote that answers 4xx is retried, then delivered when it recovers")
    func temporaryThenDelivered() throws {
        let workspace = Workspace()
        let (dns, dnsPort) = try startDNS(Self.records)
        defer { withExtendedLifetime(dns) {} }
        var sink: PeerProcess? = try startSink("127.0.0.2", name: "mx2", workspace: workspace, options: ["-r", "RCPT"])
        let daemon = try TernDaemonProcess(config: Self.config(dnsPort: dnsPort), workspace: workspace)
        _ = try LocalDeliveryTests.send(daemon, from: "alice@sender.test", to: "later@example.test", body: "Subject: later\r\n\r\ny\r\n")
        #expect(LocalDeliveryTests.eventually(20) { daemon.log.contains("status=deferred") })
        sink?.terminate()
        sink = try startSink("127.0.0.2", name: "mx2ok", workspace: workspace)
        #expect(LocalDeliveryTests.eventually(30) { sinkMessages("mx2ok", workspace: workspace).count == 1 })
        #expect(LocalDeliveryTests.eventually(10) { daemon.log.contains("status=sent") })
        withExtendedLifetime(sink) {}
    }

    @Test("a destination with no reachable server is backed off as a whole")
    func destinationBackoff() throws {
        let workspace = Workspace()
        let (dns, dnsPort) = try startDNS(Self.records)
        defer { withExtendedLifetime(dns) {} }
        let daemon = try TernDaemonProcess(config: Self.config(dnsPort: dnsPort).replacingOccurrences(of: "retry 1s..2s", with: "retry 30s..1h"), workspace: workspace)
        _ = try LocalDeliveryTests.send(daemon, from: "alice@sender.test", to: "a@dead.test", body: "Subject: 1\r\n\r\nx\r\n")
        #expect(LocalDeliveryTests.eventually(20) { daemon.log.contains("destination dead.test unreachable, backed off") })
        let second = try LocalDeliveryTests.send(daemon, from: "alice@sender.test", to: "b@dead.test", body: "Subject: 2\r\n\r\nx\r\n")
        #expect(try LocalDeliveryTests.eventually(10) {
            let message = try daemon.queue().first { $0["id"] as? String == second }
            let recipient = (message?["recipients"] as? [[String: Any]])?.first
            return (recipient?["lastReply"] as? String)?.hasPrefix("destination backed off") == true && recipient?["attempts"] as? Int == 0
        })
        #expect(!daemon.log.contains("id=\(second) to=<b@dead.test>"), "no attempt was made for the second message")
    }

    @Test("a bounce to an unreachable sender fails once and is dropped, never bounced again")
    func bounceDoesNotLoop() throws {
        let workspace = Workspace()
        let (dns, dnsPort) = try startDNS(Self.records)
        defer { withExtendedLifetime(dns) {} }
        let daemon = try TernDaemonProcess(config: Self.config(dnsPort: dnsPort), workspace: workspace)
        _ = try LocalDeliveryTests.send(daemon, from: "alice@missing.test", to: "x@nullmx.test", body: "Subject: x\r\n\r\ny\r\n")
        #expect(try LocalDeliveryTests.eventually(20) {
            let queue = try daemon.queue()
            return queue.count == 2 && queue.allSatisfy { $0["completed"] != nil }
        })
        Thread.sleep(forTimeInterval: 1.5)
        let queue = try daemon.queue()
        #expect(queue.count == 2, "the failed bounce must not produce a third message")
        let bounce = try #require(queue.first { ($0["sender"] as? String) == "" })
        #expect((bounce["recipients"] as? [[String: Any]])?.first?["state"] as? String == "failed")
        #expect(daemon.log.components(separatedBy: "status=bounced").count - 1 == 2)
    }
}
