import Foundation
import Testing
import TestSupport

/// `ternctl`'s live commands against a running `ternd` over its control
/// socket, observed in the queue's JSON, at an smtp-sink and in maildirs.
@Suite("Control socket end to end", .serialized)
struct ControlSocketTests {
    /// Mail for remote.test goes to an smtp-sink on `sinkPort`; recipients
    /// listed in the file table `rcpts` are delivered to maildirs.
    static func start(sinkPort: Int, retry: String = "1s..1s", expire: String = "expire 1h warn 30m", workspace: Workspace = Workspace()) throws -> TernDaemonProcess {
        _ = workspace.write("rcpts", "bob@local.test\n")
        return try TernDaemonProcess(config: """
            hostname ctl.test
            queue path "$DIR/var/queue" retry \(retry) \(expire)
            table rcpts file:$DIR/rcpts
            listen on 127.0.0.1 port $PORT
            action "local" maildir "$DIR/mail/%{user.username}/Maildir"
            action "out" relay host smtp://127.0.0.1:\(sinkPort)
            match from any for domain "remote.test" action "out"
            match from any for rcpt <rcpts> action "local"
            """, workspace: workspace)
    }

    static func recipientStates(_ daemon: TernDaemonProcess, _ id: String) throws -> [String] {
        let message = try daemon.controlJSON(["show", "message", id]) as? [String: Any]
        return (message?["recipients"] as? [[String: Any]] ?? []).compactMap { $0["state"] as? String }
    }

    static func send(_ daemon: TernDaemonProcess, to recipient: String) throws -> String {
        try LocalDeliveryTests.send(daemon, to: recipient, body: "Subject: control test\r\n\r\nhello\r\n")
    }

    @Test("status, stats, queue and message answer live; without a daemon ternctl says it is not running", .timeLimit(.minutes(2)))
    func showCommands() throws {
        let daemon = try Self.start(sinkPort: freePort())
        let status = try #require(try daemon.controlJSON(["show", "status"]) as? [String: Any])
        #expect(status["pid"] as? Int == Int(daemon.pid))
        #expect(status["hostname"] as? String == "ctl.test")
        #expect((status["paused"] as? [String])?.isEmpty == true)
        let id = try Self.send(daemon, to: "bob@local.test")
        #expect(LocalDeliveryTests.eventually { (try? Self.recipientStates(daemon, id)) == ["delivered"] }, "\(daemon.log)")
        let listed = try #require(try daemon.controlJSON(["show", "queue", "--all", "--domain", "local.test"]) as? [[String: Any]])
        #expect(listed.map { $0["id"] as? String } == [id])
        let none = try #require(try daemon.controlJSON(["show", "queue", "--all", "--domain", "other.test"]) as? [[String: Any]])
        #expect(none.isEmpty)
        let raw = try daemon.control(["show", "message", id, "--raw"])
        #expect(raw.status == 0)
        #expect(raw.outputData == (try daemon.body(of: id)))
        let stats = try #require(try daemon.controlJSON(["show", "stats"]) as? [String: Any])
        let entries = stats["entries"] as? [[String: Any]] ?? []
        #expect(entries.first { $0["name"] as? String == "queue.completed" }?["value"] as? Double == 1)
        let text = try daemon.control(["show", "queue", "--all"])
        #expect(text.output.contains("<bob@local.test> delivered attempts=1"), "\(text.output)")

        daemon.stop()
        let refused = try daemon.control(["show", "status"])
        #expect(refused.status == 69)
        #expect(refused.error.contains("ternd is not running"), "\(refused.error)")
    }

    @Test("pause mta keeps mail from the sink until resume; show status and show hosts report it", .timeLimit(.minutes(2)))
    func pauseAndResumeDelivery() throws {
        let workspace = Workspace()
        let sinkPort = freePort()
        let sink = try startSink("127.0.0.1", port: sinkPort, name: "out", workspace: workspace)
        defer { sink.stop() }
        let daemon = try Self.start(sinkPort: sinkPort, workspace: workspace)
        #expect(try daemon.control(["pause", "mta"]).output == "mta paused\n")
        #expect(try daemon.control(["pause", "destination", "Remote.Test"]).status == 0)
        let id = try Self.send(daemon, to: "carol@remote.test")
        Thread.sleep(forTimeInterval: 2.5)
        #expect(sinkMessages("out", workspace: workspace).isEmpty)
        #expect(try Self.recipientStates(daemon, id) == ["scheduled"])
        let status = try #require(try daemon.controlJSON(["show", "status"]) as? [String: Any])
        #expect(status["paused"] as? [String] == ["mta", "destination remote.test"])
        let hosts = try #require(try daemon.controlJSON(["show", "hosts"]) as? [[String: Any]])
        #expect(hosts.first { $0["domain"] as? String == "remote.test" }?["paused"] as? Bool == true)

        #expect(try daemon.control(["resume", "mta"]).status == 0)
        Thread.sleep(forTimeInterval: 1.5)
        #expect(sinkMessages("out", workspace: workspace).isEmpty, "still paused by destination")
        let resumed = try daemon.control(["resume", "destination", "remote.test"])
        #expect(resumed.output.contains("resumed; 1 recipient due now"), "\(resumed.output)")
        #expect(LocalDeliveryTests.eventually(20) { sinkMessages("out", workspace: workspace).count == 1 }, "\(daemon.log)")
        #expect(LocalDeliveryTests.eventually { (try? Self.recipientStates(daemon, id)) == ["delivered"] })
    }

    @Test("hold keeps a message until release; remove takes a message out, asking for --yes", .timeLimit(.minutes(2)))
    func holdReleaseRemove() throws {
        let workspace = Workspace()
        let sinkPort = freePort()
        let sink = try startSink("127.0.0.1", port: sinkPort, name: "out", workspace: workspace)
        defer { sink.stop() }
        let daemon = try Self.start(sinkPort: sinkPort, workspace: workspace)
        #expect(try daemon.control(["pause", "destination", "remote.test"]).status == 0)
        let held = try Self.send(daemon, to: "held@remote.test")
        let free = try Self.send(daemon, to: "free@remote.test")
        let gone = try Self.send(daemon, to: "gone@remote.test")
        let hold = try daemon.control(["hold", held])
        #expect(hold.output == "1 recipient held\n", "\(hold.output) \(hold.error)")
        #expect(try Self.recipientStates(daemon, held) == ["held"])
        let refused = try daemon.control(["remove", gone])
        #expect(refused.status == 64)
        #expect(refused.error.contains("--yes"))
        #expect(try daemon.control(["remove", gone, "--yes"]).output == "1 message removed\n")
        #expect(try daemon.control(["show", "message", gone]).status == 1)

        #expect(try daemon.control(["resume", "destination", "remote.test"]).status == 0)
        #expect(LocalDeliveryTests.eventually { (try? Self.recipientStates(daemon, free)) == ["delivered"] }, "\(daemon.log)")
        Thread.sleep(forTimeInterval: 1.5)
        #expect(try Self.recipientStates(daemon, held) == ["held"])
        #expect(sinkMessages("out", workspace: workspace).count == 1)
        #expect(try daemon.control(["release", "all"]).output == "1 recipient released\n")
        #expect(LocalDeliveryTests.eventually { (try? Self.recipientStates(daemon, held)) == ["delivered"] }, "\(daemon.log)")
        let delivered = sinkMessages("out", workspace: workspace)
        #expect(delivered.count == 2)
        #expect(!delivered.joined().contains("gone@remote.test"))
    }

    @Test("expiry reaches a held recipient: it fails with 4.4.7", .timeLimit(.minutes(1)))
    func heldExpires() throws {
        let daemon = try Self.start(sinkPort: freePort(), expire: "expire 3s warn 1s")
        #expect(try daemon.control(["pause", "destination", "remote.test"]).status == 0)
        let id = try Self.send(daemon, to: "held@remote.test")
        #expect(try daemon.control(["hold", id]).output == "1 recipient held\n")
        #expect(LocalDeliveryTests.eventually(15) { (try? Self.recipientStates(daemon, id)) == ["failed"] }, "\(daemon.log)")
        let message = try #require(try daemon.controlJSON(["show", "message", id]) as? [String: Any])
        #expect((message["recipients"] as? [[String: Any]])?.first?["lastStatus"] as? String == "4.4.7")
    }

    @Test("schedule retries a deferred message now and lifts the destination's back-off", .timeLimit(.minutes(2)))
    func scheduleNow() throws {
        let workspace = Workspace()
        let sinkPort = freePort()
        let daemon = try Self.start(sinkPort: sinkPort, retry: "30m..1h", workspace: workspace)
        let id = try Self.send(daemon, to: "dave@remote.test")
        #expect(LocalDeliveryTests.eventually {
            let message = try? daemon.controlJSON(["show", "message", id]) as? [String: Any]
            return (message?["recipients"] as? [[String: Any]])?.first?["attempts"] as? Int == 1
        }, "\(daemon.log)")
        let sink = try startSink("127.0.0.1", port: sinkPort, name: "out", workspace: workspace)
        defer { sink.stop() }
        let scheduled = try daemon.control(["schedule", "all"])
        #expect(scheduled.output == "1 recipient scheduled\n", "\(scheduled.output) \(scheduled.error)")
        #expect(LocalDeliveryTests.eventually(20) { sinkMessages("out", workspace: workspace).count == 1 }, "\(daemon.log)")
    }

    @Test("import and replay go through the daemon that holds the journal", .timeLimit(.minutes(2)))
    func liveImportAndReplay() throws {
        let source = try Self.start(sinkPort: freePort())
        #expect(try source.control(["pause", "mda"]).status == 0)
        let id = try Self.send(source, to: "bob@local.test")
        let archive = source.workspace.file("queue.tern")
        let export = try runCommand(BuiltProducts.path("ternctl"), ["export", "--all", "--output", archive, "--queue", source.queuePath])
        #expect(export.status == 0, "\(export.error)")

        let target = try Self.start(sinkPort: freePort())
        let imported = try runCommand(BuiltProducts.path("ternctl"), ["import", archive, "--queue", target.queuePath, "--socket", target.controlSocket])
        #expect(imported.status == 0, "\(imported.error)")
        #expect(imported.output.contains("imported \(id)"), "\(imported.output)")
        let targetInbox = target.workspace.file("mail/bob/Maildir/new")
        #expect(LocalDeliveryTests.eventually { LocalDeliveryTests.files(in: targetInbox).count == 1 }, "\(target.log)")

        #expect(try source.control(["resume", "mda"]).status == 0)
        let sourceInbox = source.workspace.file("mail/bob/Maildir/new")
        #expect(LocalDeliveryTests.eventually { (try? Self.recipientStates(source, id)) == ["delivered"] }, "\(source.log)")
        let replayed = try runCommand(BuiltProducts.path("ternctl"), ["replay", id, "--queue", source.queuePath, "--socket", source.controlSocket])
        #expect(replayed.status == 0, "\(replayed.error)")
        #expect(replayed.output.contains("requeued \(id)"), "\(replayed.output)")
        #expect(LocalDeliveryTests.eventually { LocalDeliveryTests.files(in: sourceInbox).count == 2 }, "\(source.log)")
    }

    @Test("pause smtp answers new sessions 421 4.3.2 until resumed", .timeLimit(.minutes(1)))
    func pauseIngress() throws {
        let daemon = try Self.start(sinkPort: freePort())
        #expect(try daemon.control(["pause", "smtp"]).status == 0)
        let refused = try RawSMTPClient(port: daemon.port)
        #expect(refused.reply()?.hasPrefix("421 4.3.2") == true)
        #expect(try daemon.control(["resume", "smtp"]).status == 0)
        let accepted = try RawSMTPClient(port: daemon.port)
        #expect(accepted.reply()?.hasPrefix("220") == true)
    }

    @Test("update table re-reads a file table: a recipient refused before is accepted after", .timeLimit(.minutes(1)))
    func updateTable() throws {
        let daemon = try Self.start(sinkPort: freePort())
        func accepts(_ recipient: String) throws -> Bool {
            let client = try RawSMTPClient(port: daemon.port)
            _ = client.reply()
            _ = client.command("EHLO client.example")
            _ = client.command("MAIL FROM:<alice@example.org>")
            return client.command("RCPT TO:<\(recipient)>")?.hasPrefix("250") == true
        }
        #expect(try !accepts("carol@local.test"))
        daemon.workspace.write("rcpts", "bob@local.test\ncarol@local.test\n")
        #expect(try daemon.control(["update", "table", "rcpts"]).output == "table rcpts reloaded\n")
        #expect(try accepts("carol@local.test"))
        let unknown = try daemon.control(["update", "table", "nosuch"])
        #expect(unknown.status == 1)
        #expect(unknown.error.contains("table nosuch: no such table"), "\(unknown.error)")
    }

    @Test("log verbose adds session detail to the log; log brief takes it away", .timeLimit(.minutes(1)))
    func logLevels() throws {
        let daemon = try Self.start(sinkPort: freePort())
        _ = try RawSMTPClient(port: daemon.port).reply()
        #expect(!daemon.log.contains("session client="))
        #expect(try daemon.control(["log", "verbose"]).status == 0)
        _ = try RawSMTPClient(port: daemon.port).reply()
        #expect(LocalDeliveryTests.eventually(5) { daemon.log.contains("session client=127.0.0.1") }, "\(daemon.log)")
        #expect(try daemon.control(["trace", "nosuch"]).status == 1)
        #expect(try daemon.control(["trace", "smtp", "on"]).output == "trace smtp on\n")
    }
}
