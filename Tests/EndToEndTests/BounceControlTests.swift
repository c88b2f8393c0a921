import Foundation
import Testing
import TestSupport

/// The operator's control of DSNs through the real ternd: `no-dsn`
/// listeners, `bounce return` and `bounce postmaster` notices of double
/// bounces.
@Suite("Bounce control end to end", .serialized)
struct BounceControlTests {
    /// ternd with an MDA that rejects every recipient of `example.test` and
    /// `missing.test` for good, and maildirs for `sender.test` and `mx.test`.
    static func daemon(listen options: String = "", bounce: String = "") throws -> TernDaemonProcess {
        let workspace = Workspace()
        let script = workspace.write("reject.sh", "#!/bin/sh\necho 'no such user here'; exit 67\n")
        chmod(script, 0o755)
        return try TernDaemonProcess(config: """
            hostname mx.test
            queue path "$DIR/var/queue" retry 1s..2s expire 1h warn 30m
            listen on 127.0.0.1 port $PORT \(options)
            \(bounce)
            action "pipe" mda "\(script)"
            action "local" maildir "$DIR/mail/%{user.username}/Maildir"
            match from any for domain "example.test" action "pipe"
            match from any for domain "missing.test" action "pipe"
            match from any for domain "sender.test" action "local"
            match from any for domain "mx.test" action "local"
            """, workspace: workspace)
    }

    static func inbox(_ daemon: TernDaemonProcess, _ user: String) -> [String] {
        let directory = daemon.workspace.file("mail/\(user)/Maildir/new")
        return LocalDeliveryTests.files(in: directory).compactMap { try? String(contentsOfFile: directory + "/" + $0, encoding: .utf8) }
    }

    /// Waits until the journal holds `count` messages, all completed, and a little longer for any extra.
    static func settle(_ daemon: TernDaemonProcess, messages count: Int) throws -> [[String: Any]] {
        #expect(try LocalDeliveryTests.eventually(20) {
            let queue = try daemon.queue()
            return queue.count == count && queue.allSatisfy { $0["completed"] != nil }
        }, "\(daemon.log)")
        Thread.sleep(forTimeInterval: 1.5)
        return try daemon.queue()
    }

    @Test("a permanent failure of mail from a no-dsn listener sends no DSN and says so in the log", .timeLimit(.minutes(1)))
    func noDSNListener() throws {
        let daemon = try Self.daemon(listen: "no-dsn")
        let id = try LocalDeliveryTests.send(daemon, from: "frank@sender.test", to: "ghost@example.test", body: "Subject: lost\r\n\r\nbody\r\n")
        let queue = try Self.settle(daemon, messages: 1)
        #expect(queue.count == 1, "no DSN is enqueued")
        #expect(daemon.log.contains("id=\(id) to=<ghost@example.test> relay=pipe"))
        #expect(daemon.log.contains("id=\(id) DSN suppressed (no-dsn listener): failed for 1 recipient(s)"), "\(daemon.log)")
        #expect(Self.inbox(daemon, "frank").isEmpty)
    }

    @Test("a bounce that fails for good yields one notice in the postmaster's maildir, with the bounce's headers", .timeLimit(.minutes(1)))
    func postmasterNotice() throws {
        let daemon = try Self.daemon(bounce: "bounce postmaster postmaster@mx.test")
        let id = try LocalDeliveryTests.send(daemon, from: "alice@missing.test", to: "ghost@example.test", body: "Subject: lost\r\n\r\nbody\r\n")
        let queue = try Self.settle(daemon, messages: 3)
        #expect(queue.count == 3, "the message, its bounce and one notice")
        #expect(daemon.log.components(separatedBy: "status=bounced").count - 1 == 2)
        #expect(LocalDeliveryTests.eventually(10) { Self.inbox(daemon, "postmaster").count == 1 })
        let notice = try #require(Self.inbox(daemon, "postmaster").first)
        #expect(notice.contains("Return-Path: <>"))
        #expect(notice.contains("To: <postmaster@mx.test>"))
        #expect(notice.contains("Final-Recipient: rfc822; alice@missing.test"))
        #expect(notice.contains("Action: failed"))
        #expect(notice.contains("Content-Type: text/rfc822-headers"))
        // The returned headers are the failed bounce's, which names the first message's recipient only in its body.
        #expect(notice.contains("Subject: Undelivered Mail Returned to Sender"))
        #expect(!notice.contains("Final-Recipient: rfc822; ghost@example.test"))
        #expect(daemon.log.contains("id=\(id) to=<ghost@example.test>"))
    }

    @Test("a postmaster notice that fails is only logged", .timeLimit(.minutes(1)))
    func failingNotice() throws {
        let daemon = try Self.daemon(bounce: "bounce postmaster pm@example.test")
        _ = try LocalDeliveryTests.send(daemon, from: "alice@missing.test", to: "ghost@example.test", body: "Subject: lost\r\n\r\nbody\r\n")
        let queue = try Self.settle(daemon, messages: 3)
        #expect(queue.count == 3, "the message, its bounce and one notice, nothing more")
        #expect(daemon.log.components(separatedBy: "status=bounced").count - 1 == 3)
        #expect(daemon.log.contains("postmaster notice undeliverable; not reported further"), "\(daemon.log)")
    }

    @Test("bounce return headers: a bounce for a sender without RET returns the headers, not the body", .timeLimit(.minutes(1)))
    func returnHeaders() throws {
        let daemon = try Self.daemon(bounce: "bounce return headers")
        _ = try LocalDeliveryTests.send(daemon, from: "frank@sender.test", to: "ghost@example.test", body: "Subject: lost\r\n\r\nsecret body line\r\n")
        #expect(LocalDeliveryTests.eventually(20) { Self.inbox(daemon, "frank").count == 1 }, "\(daemon.log)")
        let bounce = try #require(Self.inbox(daemon, "frank").first)
        #expect(bounce.contains("Action: failed"))
        #expect(bounce.contains("Content-Type: text/rfc822-headers"))
        #expect(bounce.contains("Subject: lost"))
        #expect(!bounce.contains("secret body line"))
    }
}
