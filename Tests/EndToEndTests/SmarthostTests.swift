import Foundation
import Testing

/// Two real ternds: one relays everything to the other, its smarthost, over
/// STARTTLS with AUTH (`relay host smtp+tls://alice@… auth <creds>`).
@Suite("Smarthost end to end", .serialized)
struct SmarthostTests {
    /// The smarthost: STARTTLS with an openssl-made certificate, AUTH
    /// required, authenticated mail delivered to maildirs.
    static func startSmarthost() throws -> TernDaemonProcess {
        let workspace = Workspace()
        try TLSAndAuthTests.makeCertificate(in: workspace)
        return try TernDaemonProcess(config: """
            hostname smarthost.test
            queue path "$DIR/var/queue"
            pki mx.test cert "$DIR/cert.pem" key "$DIR/key.pem"
            table secrets { alice = "\(TLSAndAuthTests.aliceHash)" }
            listen on 127.0.0.1 port $PORT tls pki mx.test auth <secrets>
            action "local" maildir "$DIR/mail/%{user.username}/Maildir"
            match from auth for any action "local"
            """, workspace: workspace)
    }

    /// The relay: mail for example.test to the smarthost with `credentials`
    /// (the table value for the URL's user label), bounces to a local maildir.
    static func startRelay(smarthostPort: Int, credentials: String) throws -> TernDaemonProcess {
        try TernDaemonProcess(config: """
            hostname relay.test
            queue path "$DIR/var/queue" retry 1s..1s expire 1h warn 30m
            table creds { alice = "\(credentials)" }
            listen on 127.0.0.1 port $PORT
            action "out" relay host smtp+tls://alice@127.0.0.1:\(smarthostPort) auth <creds>
            action "local" maildir "$DIR/mail/%{user.username}/Maildir"
            match from any for domain "example.test" action "out"
            match from any for domain "sender.test" action "local"
            """)
    }

    @Test("relayed over STARTTLS with AUTH: in the smarthost's maildir, received with ESMTPSA", .timeLimit(.minutes(2)))
    func relayThroughSmarthost() throws {
        let smarthost = try Self.startSmarthost()
        let relay = try Self.startRelay(smarthostPort: smarthost.port, credentials: "alice:secret")
        let id = try LocalDeliveryTests.send(relay, from: "carol@sender.test", to: "bob@example.test", body: "Subject: via smarthost\r\n\r\nhello\r\n")
        let inbox = smarthost.workspace.file("mail/bob/Maildir/new")
        #expect(LocalDeliveryTests.eventually(30) { LocalDeliveryTests.files(in: inbox).count == 1 }, "\(relay.log)\n\(smarthost.log)")
        let file = try #require(LocalDeliveryTests.files(in: inbox).first)
        let stored = try String(contentsOfFile: inbox + "/" + file, encoding: .utf8)
        #expect(stored.contains("Subject: via smarthost"))
        // The smarthost's own Received header names the protocol: EHLO, STARTTLS and AUTH.
        #expect(stored.contains(/by smarthost\.test with ESMTPSA\s+id [0-9a-z]{20} for <bob@example\.test>/), "\(stored)")
        // The relay's header is below it, with the relay's id.
        #expect(stored.contains(try Regex("by relay\\.test with ESMTP\\s+id \(id) ")), "\(stored)")
        #expect(LocalDeliveryTests.eventually(10) { relay.log.contains("id=\(id) to=<bob@example.test> relay=127.0.0.1[127.0.0.1]:\(smarthost.port)") })
        #expect(relay.log.contains("status=sent"))
        let queue = try smarthost.queue()
        #expect(queue.first?["authUser"] as? String == "alice")
    }

    @Test("a refused password defers the message (temporary, 4.7.8) and never bounces it", .timeLimit(.minutes(2)))
    func wrongPassword() throws {
        let smarthost = try Self.startSmarthost()
        // The password alone: the user name is the URL's label.
        let relay = try Self.startRelay(smarthostPort: smarthost.port, credentials: "wrong")
        let id = try LocalDeliveryTests.send(relay, from: "carol@sender.test", to: "bob@example.test", body: "Subject: refused\r\n\r\nhello\r\n")
        let retried = try LocalDeliveryTests.eventually(30) {
            let recipient = (try relay.queue().first { $0["id"] as? String == id }?["recipients"] as? [[String: Any]])?.first
            return (recipient?["attempts"] as? Int ?? 0) >= 3
        }
        #expect(retried, "\(relay.log)")
        let recipient = try #require((try relay.queue().first { $0["id"] as? String == id }?["recipients"] as? [[String: Any]])?.first)
        #expect(recipient["state"] as? String == "scheduled")
        #expect((recipient["lastStatus"] as? String)?.hasPrefix("4.7.8") == true, "\(recipient)")
        #expect((recipient["lastReply"] as? String)?.contains("535") == true, "\(recipient)")
        #expect(relay.log.contains("status=deferred"))
        #expect(!relay.log.contains("status=bounced"))
        #expect(LocalDeliveryTests.files(in: relay.workspace.file("mail/carol/Maildir/new")).isEmpty, "a bounce reached the sender")
        #expect(LocalDeliveryTests.files(in: smarthost.workspace.file("mail/bob/Maildir/new")).isEmpty)
        #expect(try smarthost.queue().isEmpty)
    }
}
