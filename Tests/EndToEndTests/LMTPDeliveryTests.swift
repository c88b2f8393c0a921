import Foundation
import Testing
import TestSupport

/// `action … lmtp "host:port"` through the real ternd into Dovecot's LMTP
/// server: per-recipient replies, and a failure DSN for the refused one.
@Suite("LMTP delivery end to end", .serialized)
struct LMTPDeliveryTests {
    static func config(lmtpPort: Int) -> String {
        config(destination: "127.0.0.1:\(lmtpPort)")
    }

    static func config(destination: String) -> String {
        """
        hostname mx.test
        queue path "$DIR/var/queue" retry 1s..2s expire 1h warn 30m
        listen on 127.0.0.1 port $PORT
        action "store" lmtp "\(destination)"
        action "local" maildir "$DIR/mail/%{user.username}/Maildir"
        match from any for domain "example.test" action "store"
        match from any for domain "sender.test" action "local"
        """
    }

    @Test("over Dovecot's Unix socket: delivered, and logged with the socket as the relay", .timeLimit(.minutes(2)))
    func unixSocket() throws {
        let dovecot = try DovecotLMTPPeer(users: ["bob"])
        let daemon = try TernDaemonProcess(config: Self.config(destination: dovecot.socketPath))
        let id = try LocalDeliveryTests.send(daemon, from: "alice@sender.test", to: "bob@example.test", body: "Subject: by socket\r\n\r\nbody\r\n")
        #expect(try LocalDeliveryTests.eventually(30) { try dovecot.messages(for: "bob").count == 1 }, "\(daemon.log)\n\(dovecot.log)")
        #expect(try dovecot.messages(for: "bob").first?.contains("Subject: by socket") == true)
        #expect(LocalDeliveryTests.eventually(10) { daemon.log.contains("id=\(id) to=<bob@example.test> relay=\(dovecot.socketPath) ") }, "\(daemon.log)")
    }

    @Test("virtual on an LMTP action: addresses map to the store's mailboxes, a list to several", .timeLimit(.minutes(2)))
    func virtualMailboxes() throws {
        let dovecot = try DovecotLMTPPeer(users: ["bob", "carol"])
        let daemon = try TernDaemonProcess(config: """
            hostname mx.test
            queue path "$DIR/var/queue" retry 1s..2s expire 1h warn 30m
            table vmap { info@example.test = bob, team@example.test = "bob, carol" }
            listen on 127.0.0.1 port $PORT
            action "store" lmtp "127.0.0.1:\(dovecot.port)" virtual <vmap>
            match from any for domain "example.test" action "store"
            """)
        _ = try LocalDeliveryTests.send(daemon, from: "alice@sender.test", to: "info@example.test", body: "Subject: to info\r\n\r\nbody\r\n")
        _ = try LocalDeliveryTests.send(daemon, from: "alice@sender.test", to: "team@example.test", body: "Subject: to the team\r\n\r\nbody\r\n")
        #expect(try LocalDeliveryTests.eventually(30) {
            try dovecot.messages(for: "bob").count == 2 && dovecot.messages(for: "carol").count == 1
        }, "\(daemon.log)\n\(dovecot.log)")
        #expect(try dovecot.messages(for: "carol").first?.contains("Subject: to the team") == true)
        #expect(try !dovecot.messages(for: "carol").joined().contains("Subject: to info"))
    }

    @Test("the known user's mail is in Dovecot's maildir; the unknown user's fails and bounces with Dovecot's reply",
          .timeLimit(.minutes(2)))
    func knownAndUnknownUser() throws {
        let dovecot = try DovecotLMTPPeer(users: ["bob"])
        let daemon = try TernDaemonProcess(config: Self.config(lmtpPort: dovecot.port))
        let id = try LocalDeliveryTests.send(
            daemon, from: "alice@sender.test", to: "bob@example.test,ghost@example.test",
            body: "Subject: to the store\r\nMessage-ID: <store@sender.test>\r\n\r\nbody\r\n"
        )
        #expect(try LocalDeliveryTests.eventually(30) { try dovecot.messages(for: "bob").count == 1 }, "\(daemon.log)\n\(dovecot.log)")
        let stored = try #require(try dovecot.messages(for: "bob").first)
        #expect(stored.contains("Subject: to the store"))
        #expect(stored.contains(try Regex("by mx\\.test with ESMTP\\s+id \(id);")), "\(stored)")

        let inbox = daemon.workspace.file("mail/alice/Maildir/new")
        #expect(LocalDeliveryTests.eventually(30) { LocalDeliveryTests.files(in: inbox).count == 1 }, "\(daemon.log)")
        let report = try String(contentsOfFile: inbox + "/" + LocalDeliveryTests.files(in: inbox)[0], encoding: .utf8)
        #expect(report.contains("Return-Path: <>"))
        #expect(report.contains("Final-Recipient: rfc822; ghost@example.test"))
        #expect(report.contains("Action: failed"))
        #expect(report.contains("Status: 5.1.1"))
        #expect(report.contains("\nRemote-MTA: dns; 127.0.0.1\n"), "\(report)")
        // Dovecot's own reply to RCPT TO for the unknown user.
        let diagnostic = try #require(report.split(separator: "\n").first { $0.hasPrefix("Diagnostic-Code:") }, "\(report)")
        #expect(diagnostic.hasPrefix("Diagnostic-Code: smtp; 550 5.1.1 "), "\(diagnostic)")
        #expect(diagnostic.contains("ghost"), "\(diagnostic)")
        #expect(!report.contains("Final-Recipient: rfc822; bob@example.test"), "only the failed recipient is reported")

        #expect(LocalDeliveryTests.eventually(10) {
            let recipients = (try? daemon.queue().first { $0["id"] as? String == id }?["recipients"] as? [[String: Any]]) ?? []
            return recipients.map { $0["state"] as? String ?? "" } == ["delivered", "failed"]
        })
        #expect(daemon.log.contains("id=\(id) to=<bob@example.test> relay=127.0.0.1[127.0.0.1]:\(dovecot.port)"))
        #expect(daemon.log.contains("status=bounced"))
        #expect(try dovecot.messages(for: "ghost").isEmpty)
    }

    /// An LMTP server delivers into the mailbox itself: like Postfix, Tern
    /// takes a success from one that does not announce DSN as final delivery
    /// (`delivered`), not as relaying on.
    @Test("NOTIFY=SUCCESS into Dovecot's mailbox: a 'delivered' DSN", .timeLimit(.minutes(1)))
    func successNoticeForLMTP() throws {
        let dovecot = try DovecotLMTPPeer(users: ["bob"])
        let daemon = try TernDaemonProcess(config: Self.config(lmtpPort: dovecot.port))
        _ = try SuccessDSNTests.sendWithSuccessNotice(daemon, to: "bob@example.test")
        #expect(try LocalDeliveryTests.eventually(30) { try dovecot.messages(for: "bob").count == 1 }, "\(daemon.log)\n\(dovecot.log)")
        #expect(LocalDeliveryTests.eventually(30) { (try? SuccessDSNTests.reports(daemon).count) == 1 }, "\(daemon.log)")
        let report = try #require(try SuccessDSNTests.reports(daemon).first)
        #expect(report.contains("Final-Recipient: rfc822; bob@example.test"))
        #expect(report.contains("Action: delivered"), "\(report)")
        #expect(report.contains("Status: 2.0.0"))
        #expect(report.contains("\nRemote-MTA: dns; 127.0.0.1\n"), "\(report)")
    }
}
