import Foundation
import Testing

/// The offline queue tools on real daemons' journals: a queue moved between
/// two ternd instances with `ternctl export`/`import`, `replay` after
/// delivery, and `verify`/`recover` on a journal damaged by the test.
@Suite("Replay and recovery end to end", .serialized)
struct ReplayAndRecoveryTests {
    /// Delivers to maildirs under the workspace.
    static let maildirConfig = LocalDeliveryTests.config("""
        action "local" maildir "$DIR/mail/%{user.username}/Maildir"
        match from any for domain "example.test" action "local"
        """)

    /// Keeps every message queued: an MDA that always fails temporarily, retried in an hour.
    static func stuckConfig(_ workspace: Workspace) -> String {
        let script = workspace.write("later.sh", "#!/bin/sh\necho 'try later'\nexit 75\n")
        chmod(script, 0o755)
        return LocalDeliveryTests.config("""
            action "later" mda "\(script)"
            match from any for domain "example.test" action "later"
            """, retry: "1h..2h", expire: "4d")
    }

    static func ternctl(_ arguments: [String]) throws -> CommandResult {
        try runCommand(BuiltProducts.path("ternctl"), arguments, timeout: 60)
    }

    static func delivered(_ workspace: Workspace, _ user: String) -> [String] {
        LocalDeliveryTests.files(in: workspace.file("mail/\(user)/Maildir/new"))
    }

    /// Sends the test's messages: one to alice and bob, one to carol, one to alice.
    static func sendMessages(_ daemon: TernDaemonProcess) throws -> [String] {
        [
            try LocalDeliveryTests.send(daemon, to: "alice@example.test,bob@example.test", body: "Subject: one\r\n\r\n\u{1}binary\u{0}ish\r\n"),
            try LocalDeliveryTests.send(daemon, to: "carol@example.test", body: "Subject: two\r\n\r\nEND 0\r\nMESSAGE 1 1\r\n"),
            try LocalDeliveryTests.send(daemon, to: "alice@example.test", body: "Subject: three\r\n\r\nthree\r\n"),
        ]
    }

    /// Waits until every message has had its first (failed) attempt, so that nothing is in flight at the stop.
    static func waitUntilAttempted(_ daemon: TernDaemonProcess, count: Int) {
        _ = LocalDeliveryTests.eventually {
            let queue = (try? daemon.queue()) ?? []
            let recipients = queue.flatMap { ($0["recipients"] as? [[String: Any]]) ?? [] }
            return queue.count == count && recipients.allSatisfy { ($0["attempts"] as? Int ?? 0) >= 1 }
        }
    }

    @Test("a queue exported from one ternd and imported into another is delivered there exactly once")
    func moveQueue() throws {
        let first = Workspace()
        let source = try TernDaemonProcess(config: Self.stuckConfig(first), workspace: first)
        let ids = try Self.sendMessages(source)
        Self.waitUntilAttempted(source, count: 3)
        #expect(source.stop() == 0)
        let archive = first.file("queue.tern")
        let export = try Self.ternctl(["export", "--all", "--output", archive, "--queue", source.queuePath])
        #expect(export.status == 0, "\(export.error)")
        #expect(export.output.contains("exported 3 messages"))

        let second = Workspace()
        let targetQueue = second.file("var/queue")
        let imported = try Self.ternctl(["import", archive, "--queue", targetQueue])
        #expect(imported.status == 0, "\(imported.error)")
        #expect(imported.output.contains("-- 3 imported, 0 skipped, 0 failed"))
        let again = try Self.ternctl(["import", archive, "--queue", targetQueue])
        #expect(again.status == 0)
        #expect(again.output.contains("-- 0 imported, 3 skipped, 0 failed"))

        let target = try TernDaemonProcess(config: Self.maildirConfig, workspace: second)
        let live = try Self.ternctl(["import", archive, "--queue", targetQueue, "--socket", target.controlSocket])
        #expect(live.status == 0, "\(live.error)")
        #expect(live.error.contains("through its control socket"))
        #expect(live.output.contains("-- 0 imported, 3 skipped, 0 failed"), "\(live.output)")
        #expect(LocalDeliveryTests.eventually {
            Self.delivered(second, "alice").count == 2 && Self.delivered(second, "bob").count == 1 && Self.delivered(second, "carol").count == 1
        })
        #expect(LocalDeliveryTests.eventually { ((try? target.queue()) ?? []).allSatisfy { $0["completed"] != nil } })
        #expect(try target.queue().compactMap { $0["id"] as? String }.sorted() == ids.sorted())
        for id in ids { #expect(target.log.contains("id=\(id) to=")) }
        #expect(target.stop() == 0)
        #expect(Self.delivered(second, "alice").count == 2)
        #expect(Self.delivered(second, "bob").count == 1)
        let carol = try String(contentsOfFile: second.file("mail/carol/Maildir/new/" + Self.delivered(second, "carol")[0]), encoding: .utf8)
        #expect(carol.hasSuffix("\nEND 0\nMESSAGE 1 1\n"))
    }

    @Test("replay of a delivered message delivers it again")
    func replayAfterDelivery() throws {
        let workspace = Workspace()
        var daemon = try TernDaemonProcess(config: Self.maildirConfig, workspace: workspace)
        let id = try LocalDeliveryTests.send(daemon, to: "dave@example.test", body: "Subject: replay\r\n\r\nagain\r\n")
        #expect(LocalDeliveryTests.eventually { Self.delivered(workspace, "dave").count == 1 })
        #expect(LocalDeliveryTests.eventually { (try? daemon.queue().first?["completed"]) != nil })
        // The journal is held, and the daemon's control socket is not where ternctl looks by default.
        let refused = try daemon.ternctl(["replay", id, "--socket", workspace.file("nowhere.sock")])
        #expect(refused.status == 69)
        #expect(refused.error.contains("through its control socket") && refused.error.contains("not running"), "\(refused.error)")
        #expect(daemon.stop() == 0)

        let replay = try Self.ternctl(["replay", id, "--queue", daemon.queuePath])
        #expect(replay.status == 0, "\(replay.error)")
        #expect(replay.output.contains("requeued \(id)"))
        daemon = try TernDaemonProcess(config: Self.maildirConfig, workspace: workspace)
        #expect(LocalDeliveryTests.eventually { Self.delivered(workspace, "dave").count == 2 })
        #expect(LocalDeliveryTests.eventually { (try? daemon.queue().first?["completed"]) != nil })
        #expect(daemon.stop() == 0)
    }

    @Test("verify reports a truncated record and a missing index entry; recover yields a sound journal with every intact message")
    func verifyAndRecover() throws {
        let workspace = Workspace()
        let source = try TernDaemonProcess(config: Self.stuckConfig(workspace), workspace: workspace)
        _ = try Self.sendMessages(source)
        let victim = try LocalDeliveryTests.send(source, to: "erin@example.test,victim@example.test", body: "Subject: four\r\n\r\nfour\r\n")
        Self.waitUntilAttempted(source, count: 4)
        #expect(source.stop() == 0)

        let damaged = workspace.file("damaged")
        try Self.damage(source.queuePath, into: damaged, truncatingRecipientWith: "victim")
        let verify = try Self.ternctl(["verify", "--queue", damaged])
        #expect(verify.status == 1)
        #expect(verify.output.contains("id=\(victim) recipient 1 does not decode"), "\(verify.output)")
        #expect(verify.output.contains("missing from the due index"), "\(verify.output)")

        let recovered = workspace.file("recovered/queue")
        let recover = try Self.ternctl(["recover", "--queue", damaged, "--output", recovered])
        #expect(recover.status == 1, "\(recover.output)\(recover.error)")
        #expect(recover.output.contains("partial \(victim): recipients 1 lost"), "\(recover.output)")
        #expect(recover.output.contains("-- 3 recovered, 1 partly recovered, 0 lost"), "\(recover.output)")
        let sound = try Self.ternctl(["verify", "--queue", recovered])
        #expect(sound.status == 0, "\(sound.output)")

        // The recovered journal holds every message with its states and times (not due for an hour) and its exact bytes.
        let ids = try Self.queue(source.queuePath).compactMap { $0["id"] as? String }.sorted()
        let saved = try Self.queue(recovered)
        #expect(saved.compactMap { $0["id"] as? String }.sorted() == ids)
        for message in saved {
            let id = try #require(message["id"] as? String)
            let recipients = (message["recipients"] as? [[String: Any]] ?? []).compactMap { $0["address"] as? String }
            if id == victim { #expect(recipients == ["erin@example.test"]) }
            let original = try Self.ternctl(["show", "message", id, "--raw", "--queue", source.queuePath])
            let copy = try Self.ternctl(["show", "message", id, "--raw", "--queue", recovered])
            #expect(copy.status == 0 && copy.outputData == original.outputData)
            #expect(message["completed"] == nil)
        }
    }

    @Test("a message whose record does not decode is quarantined once while the rest is delivered")
    func quarantineAtRunTime() throws {
        let first = Workspace()
        let source = try TernDaemonProcess(config: Self.stuckConfig(first), workspace: first)
        _ = try Self.sendMessages(source)
        let bad = try LocalDeliveryTests.send(source, from: "mallory@example.org", to: "frank@example.test", body: "Subject: bad\r\n\r\nx\r\n")
        Self.waitUntilAttempted(source, count: 4)
        #expect(source.stop() == 0)
        let archive = first.file("queue.tern")
        #expect(try Self.ternctl(["export", "--all", "--output", archive, "--queue", source.queuePath]).status == 0)
        let staging = first.file("staging")
        #expect(try Self.ternctl(["import", archive, "--queue", staging]).status == 0)

        // Every message is due now; the record of mallory's message gets an unknown version.
        let second = Workspace()
        var damaged = false
        try Self.rewrite(staging, into: second.file("var/queue")) { database, _, value in
            guard database == "messages", value.contains(Self.hex("mallory")), !damaged else { return value }
            damaged = true
            return "07" + value.dropFirst(2)
        }
        #expect(damaged)
        var daemon = try TernDaemonProcess(config: Self.maildirConfig, workspace: second)
        #expect(LocalDeliveryTests.eventually {
            Self.delivered(second, "alice").count == 2 && Self.delivered(second, "bob").count == 1 && Self.delivered(second, "carol").count == 1
        })
        #expect(LocalDeliveryTests.eventually { daemon.log.contains("id=\(bad) quarantined") })
        Thread.sleep(forTimeInterval: 2.5)
        #expect(daemon.log.components(separatedBy: "id=\(bad)").count == 2, "\(daemon.log)")
        let listed = try daemon.ternctl(["show", "queue", "--corrupt"])
        #expect(listed.status == 0)
        #expect(listed.output.contains(bad))
        #expect(listed.output.contains("unsupported record version 7"))
        #expect(listed.output.contains("rcpt 0: <frank@example.test> scheduled"))
        #expect(daemon.stop() == 0)

        let verify = try daemon.ternctl(["verify"])
        #expect(verify.status == 0)
        #expect(verify.output.contains("1 quarantined"))
        daemon = try TernDaemonProcess(config: Self.maildirConfig, workspace: second)
        let removed = try daemon.ternctl(["quarantine", "remove", bad, "--socket", daemon.controlSocket])
        #expect(removed.status == 0, "\(removed.error)")
        #expect(removed.output == "1 message removed\n", "\(removed.output)")
        #expect(try daemon.ternctl(["show", "queue", "--corrupt"]).output.contains("-- 0 quarantined messages"))
        #expect(Self.delivered(second, "frank").isEmpty)
    }

    static func queue(_ path: String) throws -> [[String: Any]] {
        let result = try ternctl(["show", "queue", "--all", "--json", "--queue", path])
        guard result.status == 0, let list = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [[String: Any]] else {
            throw HarnessError("ternctl show queue failed (\(result.status)): \(result.error)")
        }
        return list
    }

    /// Copies the journal at `path` into `copy` through `mdb_dump`/`mdb_load`
    /// (lmdb-utils), leaving out the first due-index entry and cutting 4 bytes
    /// off the recipient record that holds `localPart`.
    static func damage(_ path: String, into copy: String, truncatingRecipientWith localPart: String) throws {
        let needle = hex(localPart)
        var droppedIndexEntry = false
        var truncatedMessage: String?
        // mdb_dump lists the databases by name: recipients before schedule.
        try rewrite(path, into: copy) { database, key, value in
            // The index entry dropped belongs to another message: one of an undecodable recipient cannot be missed.
            if database == "schedule" && !droppedIndexEntry, let victim = truncatedMessage, !key.contains(victim) {
                droppedIndexEntry = true
                return nil
            }
            if database == "recipients" && truncatedMessage == nil && value.contains(needle) {
                truncatedMessage = String(key.prefix(24))
                return String(value.dropLast(8))
            }
            return value
        }
        let truncated = truncatedMessage != nil
        guard droppedIndexEntry && truncated else { throw HarnessError("the journal did not hold the expected entries") }
    }

    static func hex(_ text: String) -> String {
        text.utf8.map { String(format: "%02x", $0) }.joined()
    }

    /// Copies the journal at `path` into `copy` through `mdb_dump`/`mdb_load`,
    /// passing each entry's value (as hex, with its key as hex) through `edit`: nil leaves the entry out.
    static func rewrite(_ path: String, into copy: String, _ edit: (_ database: String, _ key: String, _ value: String) -> String?) throws {
        let dump = try runCommand(try requireTool("/usr/bin/mdb_dump"), ["-a", path])
        guard dump.status == 0 else { throw HarnessError("mdb_dump failed: \(dump.error)") }
        var lines = dump.output.components(separatedBy: "\n")
        var database = ""
        var index = 0
        while index < lines.count {
            let line = lines[index]
            if line.hasPrefix("database=") { database = String(line.dropFirst("database=".count)) }
            guard line.hasPrefix(" ") && index + 1 < lines.count && lines[index + 1].hasPrefix(" ") else {
                index += 1
                continue
            }
            if let value = edit(database, String(line.dropFirst()), String(lines[index + 1].dropFirst())) {
                lines[index + 1] = " " + value
                index += 2
            } else {
                lines.removeSubrange(index...(index + 1))
            }
        }
        try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let load = try runCommand(try requireTool("/usr/bin/mdb_load"), [copy], input: Data(lines.joined(separator: "\n").utf8))
        guard load.status == 0 else { throw HarnessError("mdb_load failed: \(load.error)") }
    }
}
