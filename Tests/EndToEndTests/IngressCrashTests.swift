import Foundation
import Testing
import TestSupport

/// SIGKILL of ternd while many clients send to it at once (smtp-source for
/// load, plus clients of our own that note the queue id of every `250`):
/// after a restart on the same journal every acknowledged message is there,
/// whole (DESIGN.md, durability contract: `250` only after the sync).
@Suite("Crash during ingress end to end", .serialized)
struct IngressCrashTests {
    /// Recipients are relayed to a port nothing listens on, so every message stays queued.
    static let config = FullDiskTests.config

    /// The queue ids acknowledged by the recording clients, behind a lock.
    final class Acknowledged: @unchecked Sendable {
        // @unchecked: `ids` and `stopped` are only touched under `lock`.
        private let lock = NSLock()
        private var ids: [String: Int] = [:]
        private var stopped = false

        func add(_ id: String, size: Int) { lock.withLock { ids[id] = size } }
        func stop() { lock.withLock { stopped = true } }
        var isStopped: Bool { lock.withLock { stopped } }
        var all: [String: Int] { lock.withLock { ids } }
    }

    /// Sends messages over one connection after another until stopped or refused.
    static func recordingClient(port: Int, number: Int, into acknowledged: Acknowledged) {
        var serial = 0
        while !acknowledged.isStopped {
            guard let client = try? RawSMTPClient(port: port, timeout: 10), client.reply()?.hasPrefix("220") == true,
                  client.command("EHLO recorder\(number).test")?.hasPrefix("250") == true
            else { return }
            for _ in 0..<20 where !acknowledged.isStopped {
                serial += 1
                guard client.command("MAIL FROM:<recorder\(number)@sender.test>")?.hasPrefix("250") == true,
                      client.command("RCPT TO:<bob@example.test>")?.hasPrefix("250") == true,
                      client.command("DATA")?.hasPrefix("354") == true
                else { return }
                let body = "Subject: recorder \(number) message \(serial)\r\n\r\n" + String(repeating: "line of text\r\n", count: 50 + serial % 200)
                client.send(body + ".\r\n")
                guard let reply = client.reply(), reply.hasPrefix("250"),
                      let id = reply.firstMatch(of: /queued as ([0-9a-z]{20})/).map({ String($0.1) })
                else { return }
                acknowledged.add(id, size: body.utf8.count)
            }
            _ = client.command("QUIT")
        }
    }

    @Test("kill -9 at a random moment under load, twice: every message acknowledged with 250 is in the journal after the restart",
          .timeLimit(.minutes(4)))
    func crashDuringIngress() throws {
        let workspace = Workspace()
        var acknowledged: [String: Int] = [:]
        for round in 1...2 {
            let daemon = try TernDaemonProcess(config: Self.config, workspace: workspace)
            let load = try PeerProcess("/usr/sbin/smtp-source", [
                "-l", "2048", "-m", "100000", "-s", "30", "-M", "load.test",
                "-f", "alice@sender.test", "-t", "bob@example.test", "127.0.0.1:\(daemon.port)",
            ], package: "postfix")
            defer { load.stop() }
            let recorded = Acknowledged()
            let finished = DispatchGroup()
            for number in 0..<8 {
                finished.enter()
                Thread.detachNewThread { [port = daemon.port] in
                    Self.recordingClient(port: port, number: number, into: recorded)
                    finished.leave()
                }
            }
            // A random moment: after 100 to 400 acknowledgements to our clients.
            let killAt = Int.random(in: 100...400)
            let loaded = LocalDeliveryTests.eventually(90) { recorded.all.count >= killAt }
            daemon.crash()
            recorded.stop()
            _ = finished.wait(timeout: .now() + 30)
            load.stop()
            try #require(loaded, "round \(round): only \(recorded.all.count) acknowledgements:\n\(daemon.log.suffix(2000))")
            acknowledged.merge(recorded.all) { first, _ in first }
            print("IngressCrashTests: round \(round) killed after \(recorded.all.count) acknowledgements (aimed at \(killAt))")
        }

        let daemon = try TernDaemonProcess(config: Self.config, workspace: workspace)
        let queue = try daemon.queue()
        let stored = Set(queue.compactMap { $0["id"] as? String })
        let lost = Set(acknowledged.keys).subtracting(stored)
        print("IngressCrashTests: \(acknowledged.count) acknowledged to the recording clients, \(queue.count) messages in the journal after the restarts")
        #expect(lost.isEmpty, "\(lost.count) acknowledged messages lost, e.g. \(lost.prefix(5))")
        for (id, size) in acknowledged.prefix(20) {
            let body = try daemon.body(of: id)
            #expect(body.count >= size, "message \(id) is \(body.count) bytes, sent \(size)")
        }
        #expect(daemon.stop() == 0)
        let verify = try runCommand(BuiltProducts.path("ternctl"), ["verify", "--queue", daemon.queuePath])
        #expect(verify.status == 0, "ternctl verify: \(verify.output)\(verify.error)")
    }
}
