import Foundation
import Testing
import TestSupport

/// SIGKILL of the real ternd while it relays thousands of messages to
/// Postfix's smtp-sink, then a restart on the same journal: delivery is
/// at-least-once (DESIGN.md, durability contract 3). Some messages go to a
/// second sink that rejects every recipient: each of them gets exactly one
/// DSN in the journal, committed with the failure (contract 2).
@Suite("Crash during delivery end to end", .serialized)
struct DeliveryCrashTests {
    static let messageCount = 3000
    /// Messages to `reject.test`, whose sink answers every RCPT with a 5xx.
    static let rejectedCount = 200
    /// Deliveries per second to `reject.test`: slow enough that the kill falls among its failures.
    static let rejectRate = 10
    /// `limit … connections` for the sink's domain.
    static let connections = 10
    /// The scheduler's `maxConcurrentDeliveries` (DeliveryScheduler's default): at most this many
    /// batches, here one message each, are between "taken from the due index" and "outcome committed".
    static let schedulerConcurrency = 64

    static func config(sinkPort: Int, rejectPort: Int) -> String {
        """
        hostname relay.test
        queue path "$DIR/var/queue" retry 2s..2s expire 1h warn 30m
        listen on 127.0.0.1 port $PORT
        action "out" relay host smtp://127.0.0.1:\(sinkPort)
        action "rejecting" relay host smtp://127.0.0.1:\(rejectPort)
        action "local" maildir "$DIR/mail/%{user.username}/Maildir"
        match from any for domain "example.test" action "out"
        match from any for domain "reject.test" action "rejecting"
        match from any for domain "sender.test" action "local"
        limit domain "example.test" connections \(connections) messages-per-connection 100
        limit domain "reject.test" rate \(rejectRate)/s
        """
    }

    @Test("kill -9 while relaying: every accepted message reaches the sink, duplicates only from deliveries in flight; one DSN per rejected message",
          .timeLimit(.minutes(5)))
    func crashWhileRelaying() throws {
        let workspace = Workspace()
        let sinkPort = freePort()
        let rejectPort = freePort()
        var daemon = try TernDaemonProcess(config: Self.config(sinkPort: sinkPort, rejectPort: rejectPort), workspace: workspace)

        // 1. Ingress with the sinks down: every message is accepted (250) and
        // deferred, so that the kill below falls into delivery, not ingress.
        // The messages to reject.test arrive at the same time as the others,
        // so that their failures (and DSNs) straddle the kill.
        let rejectSource = try PeerProcess("/usr/sbin/smtp-source", [
            "-c", "-l", "1024", "-m", "\(Self.rejectedCount)", "-s", "2",
            "-M", "client.test", "-f", "alice@sender.test", "-t", "bob@reject.test", "127.0.0.1:\(daemon.port)",
        ], package: "postfix")
        let source = try PeerProcess.run("/usr/sbin/smtp-source", [
            "-c", "-l", "1024", "-m", "\(Self.messageCount)", "-s", "20",
            "-M", "client.test", "-f", "alice@sender.test", "-t", "bob@example.test", "127.0.0.1:\(daemon.port)",
        ], package: "postfix", limit: .seconds(120))
        #expect(source.status == 0, "smtp-source: \(source.output)")
        try rejectSource.waitUntil("every message accepted", limit: .seconds(60)) {
            (try? daemon.queue().count) == Self.messageCount + Self.rejectedCount
        }
        let ingress = try daemon.queue()
        func ids(to domain: String) throws -> [String] {
            try ingress.filter { message in
                ((message["recipients"] as? [[String: Any]]) ?? []).contains { ($0["address"] as? String)?.hasSuffix("@" + domain) == true }
            }.map { try #require($0["id"] as? String) }
        }
        let accepted = try ids(to: "example.test")
        try #require(accepted.count == Self.messageCount, "the journal holds \(accepted.count) messages to example.test")
        let rejected = try Set(ids(to: "reject.test"))
        try #require(rejected.count == Self.rejectedCount, "the journal holds \(rejected.count) messages to reject.test")

        // 2. The sink comes up; kill ternd once delivery is well under way.
        let sink = try startSink("127.0.0.1", port: sinkPort, name: "crash", workspace: workspace)
        let rejectingSink = try startSink("127.0.0.1", port: rejectPort, name: "reject", workspace: workspace, options: ["-f", "rcpt"])
        let started = LocalDeliveryTests.eventually(120) { Self.dumpCount(workspace) >= Self.messageCount / 5 }
        daemon.crash()
        try #require(started, "delivery did not start: \(sinkCounters(sink))\n\(daemon.log.suffix(2000))")
        // The sink sees the connections close and unlinks its unfinished dumps.
        Thread.sleep(forTimeInterval: 0.5)
        let beforeRestart = Self.deliveredCopies(workspace)
        #expect(beforeRestart.count < Self.messageCount, "delivery had finished before the kill")
        #expect(beforeRestart.values.allSatisfy { $0 == 1 }, "a message was delivered twice before the crash")
        // In flight at the kill: taken by the sink, but ternd had not logged
        // it sent (the log line follows the journal commit).
        let sentBeforeKill = Self.sentIDs(daemon.log)
        let inFlight = Set(beforeRestart.keys).subtracting(sentBeforeKill)
        let bouncedBeforeKill = Self.loggedIDs(daemon.log, status: "bounced").intersection(rejected)

        // 3. Restart on the same journal and wait until nothing is pending.
        daemon = try TernDaemonProcess(config: Self.config(sinkPort: sinkPort, rejectPort: rejectPort), workspace: workspace)
        let drained = try LocalDeliveryTests.eventually(120) { try Self.pendingRecipients(daemon) == 0 }
        #expect(drained, "recipients still pending 120 s after the restart:\n\(daemon.log.suffix(2000))")
        let queue = try daemon.queue()
        let states = Dictionary(grouping: queue, by: { ($0["id"] as? String) ?? "" }).mapValues { messages in
            messages.flatMap { ($0["recipients"] as? [[String: Any]]) ?? [] }.map { ($0["state"] as? String) ?? "" }
        }
        #expect(accepted.allSatisfy { states[$0] == ["delivered"] })
        #expect(rejected.allSatisfy { states[$0] == ["failed"] })
        // 4. Exactly one DSN per rejected message in the journal (the failure
        // and its DSN commit together), each delivered to alice's maildir.
        let dsns = queue.filter { ($0["sender"] as? String) == "" }.compactMap { $0["id"] as? String }
        #expect(queue.count == Self.messageCount + 2 * Self.rejectedCount, "\(queue.count) messages in the journal")
        #expect(dsns.allSatisfy { states[$0] == ["delivered"] })
        var reportsPerMessage: [String: Int] = [:]
        for dsn in dsns {
            let text = try String(decoding: daemon.body(of: dsn), as: UTF8.self)
            guard let original = Self.receivedID(in: text) else {
                Issue.record("DSN \(dsn) does not return the original's Received header")
                continue
            }
            reportsPerMessage[original, default: 0] += 1
        }
        #expect(Set(reportsPerMessage.keys) == rejected, "DSNs for \(reportsPerMessage.count) of \(rejected.count) rejected messages")
        #expect(reportsPerMessage.values.allSatisfy { $0 == 1 }, "a rejected message got several DSNs")
        let inbox = workspace.file("mail/alice/Maildir/new")
        let reported = Set(LocalDeliveryTests.files(in: inbox).compactMap { file in
            (try? String(contentsOfFile: inbox + "/" + file, encoding: .utf8)).flatMap(Self.receivedID(in:))
        })
        #expect(reported == rejected, "\(reported.count) of \(rejected.count) rejected messages have a DSN in the maildir")
        #expect(daemon.stop() == 0)
        let verify = try runCommand(BuiltProducts.path("ternctl"), ["verify", "--queue", daemon.queuePath])
        #expect(verify.status == 0, "ternctl verify: \(verify.output)\(verify.error)")

        // 5. Every accepted id reached the sink; the extra copies are few.
        // smtp-sink unlinks the dump of a transaction cut off before its final
        // dot, so a dump is a message the sink took in full. ternd records each
        // outcome right after its own transaction (not per connection), so a
        // copy is delivered twice only when the sink had its final dot and the
        // kill came before ternd committed "delivered". Those messages are in
        // the scheduler's hands between the due index and the commit, and the
        // scheduler runs at most `schedulerConcurrency` batches (one message
        // each here) at once: at most `connections` on the wire, the rest
        // waiting for a connection slot or for their outcome's group commit.
        let copies = Self.deliveredCopies(workspace)
        let missing = accepted.filter { copies[$0, default: 0] == 0 }
        #expect(missing.isEmpty, "\(missing.count) accepted messages never reached the sink, e.g. \(missing.prefix(5))")
        #expect(Set(copies.keys).isSubset(of: Set(accepted)), "the sink got messages ternd never accepted")
        let duplicates = copies.values.reduce(0) { $0 + $1 - 1 }
        let duplicated = Set(copies.filter { $0.value > 1 }.keys)
        print("DeliveryCrashTests: \(beforeRestart.count) messages at the sink before the restart, \(inFlight.count) of them in flight at the kill; \(copies.values.reduce(0, +)) dumps in all, \(duplicates) duplicates; \(bouncedBeforeKill.count) of \(rejected.count) rejected messages bounced before the kill")
        #expect(duplicated.isSubset(of: inFlight), "duplicates of messages not in flight at the kill: \(duplicated.subtracting(inFlight).prefix(5))")
        #expect(copies.values.allSatisfy { $0 <= 2 })
        #expect(duplicates <= Self.schedulerConcurrency, "\(duplicates) duplicates")
        withExtendedLifetime((sink, rejectingSink, rejectSource)) {}
    }

    /// The ternd message id in the first `by relay.test … id XXXX` Received header of `text`.
    static func receivedID(in text: String) -> String? {
        text.firstMatch(of: /by relay\.test with E?SMTPS?A?\s+id ([0-9a-z]{20})/).map { String($0.1) }
    }

    /// Recipients not yet in a final state, from `ternctl show queue`'s summary line.
    static func pendingRecipients(_ daemon: TernDaemonProcess) throws -> Int {
        let result = try daemon.ternctl(["show", "queue"])
        guard result.status == 0, let summary = result.output.split(separator: "\n").last,
              let count = summary.split(separator: " ").dropLast(2).last.flatMap({ Int($0) })
        else { throw HarnessError("ternctl show queue failed (\(result.status)): \(result.output)\(result.error)") }
        return count
    }

    /// The ids of the log lines `id=… to=<…> … status=sent`.
    static func sentIDs(_ log: String) -> Set<String> {
        loggedIDs(log, status: "sent")
    }

    /// The ids of the log lines `id=… to=<…> … status=STATUS`.
    static func loggedIDs(_ log: String, status: String) -> Set<String> {
        Set(log.split(separator: "\n").compactMap { line in
            guard line.contains(" status=\(status) ") else { return nil }
            return line.firstMatch(of: #/id=([0-9a-z]{20}) to=</#).map { String($0.1) }
        })
    }

    static func dumpCount(_ workspace: Workspace) -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: workspace.file("sink-crash"))) ?? []).count
    }

    /// How many copies of each ternd message id the sink dumped, by the id in
    /// ternd's Received header (`by relay.test with ESMTP` and, folded, `id XXXXXXXXXXXXXXXXXXXX`).
    static func deliveredCopies(_ workspace: Workspace) -> [String: Int] {
        var copies: [String: Int] = [:]
        for dump in sinkMessages("crash", workspace: workspace) {
            guard let id = receivedID(in: dump) else {
                Issue.record("a sink dump without ternd's Received header: \(dump.prefix(500))")
                continue
            }
            copies[id, default: 0] += 1
        }
        return copies
    }
}
