import Foundation
import Testing

/// The scheduler and the local delivery agents through the real ternd:
/// maildir, mbox and MDA, retries and bounces.
@Suite("Local delivery end to end", .serialized)
struct LocalDeliveryTests {
    static func config(_ actions: String, retry: String = "1s..4s", expire: String = "4h", warn: String = "1h") -> String {
        """
        hostname mx.test
        queue path "$DIR/var/queue" retry \(retry) expire \(expire) warn \(warn)
        listen on 127.0.0.1 port $PORT
        \(actions)
        """
    }

    /// Polls `condition` every 50 ms for up to `seconds`.
    static func eventually(_ seconds: Double = 20, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return try condition()
    }

    static func send(_ daemon: TernDaemonProcess, from: String = "alice@example.org", to: String, body: String) throws -> String {
        let client = try RawSMTPClient(port: daemon.port)
        _ = client.reply()
        _ = client.command("EHLO client.example")
        #expect(client.command("MAIL FROM:<\(from)>")?.hasPrefix("250") == true)
        for rcpt in to.split(separator: ",") { #expect(client.command("RCPT TO:<\(rcpt)>")?.hasPrefix("250") == true) }
        #expect(client.command("DATA")?.hasPrefix("354") == true)
        client.send(body + ".\r\n")
        let reply = try #require(client.reply())
        _ = client.command("QUIT")
        return try #require(IngressTests.queuedID(in: reply), "\(reply)")
    }

    static func files(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    @Test("maildir: the message lands in new/ byte for byte and the queue records it delivered")
    func maildir() throws {
        let daemon = try TernDaemonProcess(config: Self.config("""
            action "local" maildir "$DIR/mail/%{user.username}/Maildir"
            match from any for domain "example.test" action "local"
            """))
        let body = "Subject: maildir\r\n\r\nhello\r\n..dot\r\n"
        let id = try Self.send(daemon, to: "Bob+tag@example.test", body: body)
        let newDirectory = daemon.workspace.file("mail/bob/Maildir/new")
        #expect(Self.eventually { Self.files(in: newDirectory).count == 1 })
        let file = try #require(Self.files(in: newDirectory).first)
        let stored = try String(contentsOfFile: newDirectory + "/" + file, encoding: .utf8)
        #expect(stored.hasPrefix("Return-Path: <alice@example.org>\nDelivered-To: Bob+tag@example.test\nReceived: from client.example"))
        #expect(stored.hasSuffix("\nSubject: maildir\n\nhello\n.dot\n"))
        #expect(Self.files(in: daemon.workspace.file("mail/bob/Maildir/tmp")).isEmpty)
        #expect(Self.eventually { (try? daemon.queue().first?["completed"]) != nil })
        let recipient = try #require((try daemon.queue().first?["recipients"] as? [[String: Any]])?.first)
        #expect(recipient["state"] as? String == "delivered")
        #expect(daemon.log.contains("id=\(id) to=<Bob+tag@example.test> relay=local"))
        #expect(daemon.log.contains("status=sent"))
    }

    @Test("mbox: From_ line, >From quoting, appended in order")
    func mbox() throws {
        let daemon = try TernDaemonProcess(config: Self.config("""
            action "box" mbox "$DIR/mail/%{user.username}.mbox"
            match from any for domain "example.test" action "box"
            """))
        _ = try Self.send(daemon, to: "carol@example.test", body: "Subject: one\r\n\r\nFrom the start\r\n>From quoted\r\n")
        let path = daemon.workspace.file("mail/carol.mbox")
        #expect(Self.eventually { (try? String(contentsOfFile: path, encoding: .utf8))?.contains(">From the start") == true })
        _ = try Self.send(daemon, to: "carol@example.test", body: "Subject: two\r\n\r\nsecond\r\n")
        #expect(Self.eventually { (try? String(contentsOfFile: path, encoding: .utf8))?.contains("Subject: two") == true })
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix("From alice@example.org "))
        #expect(text.contains("\n>From the start\n>>From quoted\n\n"))
        #expect(text.components(separatedBy: "\nFrom alice@example.org ").count == 2)
        #expect(text.range(of: "Subject: one")!.lowerBound < text.range(of: "Subject: two")!.lowerBound)
    }

    @Test("MDA: the message on stdin, sender and recipient in the environment")
    func mda() throws {
        let workspace = Workspace()
        let script = workspace.write("deliver.sh", "#!/bin/sh\nout=\"$DIR/mda-$RECIPIENT\"\n{ echo \"sender=$SENDER rcpt=$RECIPIENT user=$USER ext=$EXTENSION\"; cat; } > \"$out\"\n".replacingOccurrences(of: "$DIR", with: workspace.path))
        chmod(script, 0o755)
        let daemon = try TernDaemonProcess(config: Self.config("""
            action "pipe" mda "\(script)"
            match from any for domain "example.test" action "pipe"
            """), workspace: workspace)
        _ = try Self.send(daemon, to: "dave+x@example.test", body: "Subject: mda\r\n\r\nbody\r\n")
        let out = workspace.file("mda-dave+x@example.test")
        #expect(Self.eventually { (try? String(contentsOfFile: out, encoding: .utf8))?.hasSuffix("body\n") == true })
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text.hasPrefix("sender=alice@example.org rcpt=dave+x@example.test user=dave ext=x\nReturn-Path: <alice@example.org>\n"))
    }

    @Test("a temporary MDA failure is retried on the configured back-off, then delivered")
    func retrySchedule() throws {
        let workspace = Workspace()
        let counter = workspace.file("attempts")
        let script = workspace.write("flaky.sh", "#!/bin/sh\necho x >> \(counter)\n[ $(wc -l < \(counter)) -ge 4 ] && exit 0\necho 'try later'; exit 75\n")
        chmod(script, 0o755)
        let daemon = try TernDaemonProcess(config: Self.config("""
            action "pipe" mda "\(script)"
            match from any for domain "example.test" action "pipe"
            """, retry: "1s..2s"), workspace: workspace)
        let id = try Self.send(daemon, to: "erin@example.test", body: "Subject: retry\r\n\r\nx\r\n")
        var observed: [Double] = []
        var lastAttempts = 0
        let done = try Self.eventually(30) {
            guard let recipient = (try daemon.queue().first?["recipients"] as? [[String: Any]])?.first else { return false }
            let attempts = recipient["attempts"] as? Int ?? 0
            if attempts != lastAttempts, recipient["state"] as? String == "scheduled",
               let next = recipient["nextAttempt"] as? String, let last = recipient["lastAttempt"] as? String,
               let nextDate = ISO8601DateFormatter().date(from: next), let lastDate = ISO8601DateFormatter().date(from: last) {
                observed.append(nextDate.timeIntervalSince(lastDate))
                lastAttempts = attempts
            }
            return recipient["state"] as? String == "delivered"
        }
        #expect(done)
        #expect(daemon.log.contains("id=\(id) to=<erin@example.test> relay=pipe"))
        #expect(daemon.log.contains("dsn=4.3.0 status=deferred (MDA exited with status 75: try later)"))
        // 1 s, then 2 s (the maximum), each within the 10 % jitter and the journal's whole seconds in ISO dates.
        #expect(observed.count >= 2)
        for (attempt, delay) in observed.enumerated() {
            let expected = min(1.0 * pow(2, Double(attempt)), 2.0)
            #expect(abs(delay - expected) <= expected * 0.1 + 1.0, "attempt \(attempt + 1): \(delay) s")
        }
    }

    @Test("a permanent failure bounces once to the sender, and the bounce itself never bounces")
    func bounce() throws {
        let workspace = Workspace()
        let script = workspace.write("reject.sh", "#!/bin/sh\necho 'no such user here'; exit 67\n")
        chmod(script, 0o755)
        let daemon = try TernDaemonProcess(config: Self.config("""
            action "pipe" mda "\(script)"
            action "local" maildir "$DIR/mail/%{user.username}/Maildir"
            match from any for domain "example.test" action "pipe"
            match from any for domain "sender.test" action "local"
            """), workspace: workspace)
        let id = try Self.send(daemon, from: "frank@sender.test", to: "ghost@example.test", body: "Subject: lost\r\nMessage-ID: <lost@sender.test>\r\n\r\nbody\r\n")
        let inbox = workspace.file("mail/frank/Maildir/new")
        #expect(Self.eventually { Self.files(in: inbox).count == 1 })
        let bounce = try String(contentsOfFile: inbox + "/" + Self.files(in: inbox)[0], encoding: .utf8)
        #expect(bounce.contains("Return-Path: <>"))
        #expect(bounce.contains("Content-Type: multipart/report; report-type=delivery-status"))
        #expect(bounce.contains("Final-Recipient: rfc822; ghost@example.test"))
        #expect(bounce.contains("Action: failed"))
        #expect(bounce.contains("Status: 5.3.0"))
        #expect(bounce.contains("no such user here"))
        #expect(bounce.contains("In-Reply-To: <lost@sender.test>"))
        #expect(daemon.log.contains("id=\(id) to=<ghost@example.test> relay=pipe"))
        #expect(daemon.log.contains("status=bounced"))
        Thread.sleep(forTimeInterval: 1)
        #expect(Self.files(in: inbox).count == 1)
    }

    @Test("a recipient still deferred after 'warn' gets one delay DSN, then fails with 4.4.7 at expiry")
    func delayThenExpire() throws {
        let workspace = Workspace()
        let script = workspace.write("busy.sh", "#!/bin/sh\necho 'mailbox busy'; exit 75\n")
        chmod(script, 0o755)
        let daemon = try TernDaemonProcess(config: Self.config("""
            action "pipe" mda "\(script)"
            action "local" maildir "$DIR/mail/%{user.username}/Maildir"
            match from any for domain "example.test" action "pipe"
            match from any for domain "sender.test" action "local"
            """, retry: "1s..1s", expire: "6s", warn: "2s"), workspace: workspace)
        let id = try Self.send(daemon, from: "hank@sender.test", to: "slow@example.test", body: "Subject: slow\r\n\r\nbody\r\n")
        let inbox = workspace.file("mail/hank/Maildir/new")
        #expect(Self.eventually(30) { Self.files(in: inbox).count == 2 })
        let reports = try Self.files(in: inbox).map { try String(contentsOfFile: inbox + "/" + $0, encoding: .utf8) }
        let delay = try #require(reports.first { $0.contains("Action: delayed") })
        #expect(delay.contains("Will-Retry-Until:"))
        #expect(delay.contains("mailbox busy"))
        let failure = try #require(reports.first { $0.contains("Action: failed") })
        #expect(failure.contains("Status: 4.4.7"))
        #expect(daemon.log.contains("id=\(id) to=<slow@example.test>"))
        Thread.sleep(forTimeInterval: 1.5)
        #expect(Self.files(in: inbox).count == 2, "exactly one delay warning and one failure report")
    }
}

/// SIGHUP re-reads the configuration: a fixed action unsticks queued mail.
@Suite("Configuration reload end to end")
struct ReloadTests {
    @Test("a message deferred by a broken action is delivered after the fixed file is reloaded with SIGHUP")
    func reloadUnsticks() throws {
        let broken = LocalDeliveryTests.config("""
            action "local" mda "/nonexistent/deliver"
            match from any for domain "example.test" action "local"
            """, retry: "1s..1s")
        let daemon = try TernDaemonProcess(config: broken)
        _ = try LocalDeliveryTests.send(daemon, to: "ivy@example.test", body: "Subject: stuck\r\n\r\nx\r\n")
        #expect(LocalDeliveryTests.eventually(20) { daemon.log.contains("status=deferred") })
        let fixed = LocalDeliveryTests.config("""
            action "local" maildir "$DIR/mail/%{user.username}/Maildir"
            match from any for domain "example.test" action "local"
            """, retry: "1s..1s")
        daemon.workspace.write("tern.conf", fixed.replacingOccurrences(of: "$PORT", with: "\(daemon.port)").replacingOccurrences(of: "$DIR", with: daemon.workspace.path))
        kill(daemon.pid, SIGHUP)
        #expect(LocalDeliveryTests.eventually(10) { daemon.log.contains("configuration reloaded") })
        let inbox = daemon.workspace.file("mail/ivy/Maildir/new")
        #expect(LocalDeliveryTests.eventually(20) { LocalDeliveryTests.files(in: inbox).count == 1 })
    }

    @Test("a reloaded file with an error is refused and the configuration in force is kept")
    func badReload() throws {
        let daemon = try TernDaemonProcess(config: IngressTests.config)
        daemon.workspace.write("tern.conf", "listen on 127.0.0.1 port nonsense\n")
        kill(daemon.pid, SIGHUP)
        #expect(LocalDeliveryTests.eventually(10) { daemon.log.contains("configuration not reloaded") })
        #expect(daemon.log.contains("tern.conf:1:"))
        let result = try IngressTests.swaks(daemon.port, ["--from", "a@example.org", "--to", "b@example.test"])
        #expect(result.status == 0)
    }
}

/// Completed messages are kept for replay during `queue retention`, then purged.
@Suite("History retention end to end")
struct RetentionTests {
    @Test("a delivered message stays listed with --all, then is purged after the retention window")
    func purge() throws {
        let daemon = try TernDaemonProcess(config: """
            hostname mx.test
            queue path "$DIR/var/queue" retention 2s
            listen on 127.0.0.1 port $PORT
            action "local" maildir "$DIR/mail/%{user.username}/Maildir"
            match from any for domain "example.test" action "local"
            """)
        let id = try LocalDeliveryTests.send(daemon, to: "kim@example.test", body: "Subject: kept\r\n\r\nx\r\n")
        #expect(try LocalDeliveryTests.eventually(10) { try daemon.queue().first?["completed"] != nil })
        #expect(try daemon.queue().first?["id"] as? String == id)
        #expect(try LocalDeliveryTests.eventually(20) { try daemon.queue().isEmpty })
        #expect(LocalDeliveryTests.files(in: daemon.workspace.file("mail/kim/Maildir/new")).count == 1)
    }
}
