import Foundation
import Testing

/// The journal's home runs out of space: ingress answers `452 4.3.1`
/// (RFC 5321 §4.5.3.1.10, RFC 3463 X.3.1), the daemon keeps running, and it
/// accepts mail again once space returns; nothing acknowledged is lost.
@Suite("Full disk end to end", .serialized)
struct FullDiskTests {
    /// Recipients are relayed to a port nothing listens on, so every message stays queued.
    static let config = """
        hostname mx.test
        queue path "$DIR/var/queue" retry 1h..1h expire 4d
        listen on 127.0.0.1 port $PORT
        action "out" relay host smtp://127.0.0.1:9
        match from any for domain "example.test" action "out"
        """

    /// A tmpfs of `size` mounted on `path`; nil (with the reason printed) where mounting is not allowed.
    static func mountTmpfs(_ path: String, size: String) -> Bool {
        guard getuid() == 0 else {
            print("FullDiskTests: skipped, mounting a tmpfs needs root")
            return false
        }
        let result = try? runCommand("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size),mode=0755", "tmpfs", path], timeout: 20)
        guard result?.status == 0 else {
            print("FullDiskTests: skipped, mount -t tmpfs failed: \(result?.error ?? "cannot run mount")")
            return false
        }
        return true
    }

    static func freeBytes(_ path: String) -> Int {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { return 0 }
        return Int(stats.f_bavail) * Int(stats.f_frsize)
    }

    /// Sends one message of `size` octets; returns the reply to the final dot (or the first refusal).
    static func send(_ port: Int, size: Int, tag: Int) throws -> String {
        let client = try RawSMTPClient(port: port, timeout: 30)
        _ = client.reply()
        _ = client.command("EHLO filler.example")
        guard let mail = client.command("MAIL FROM:<alice@example.org>"), mail.hasPrefix("250") else { return "MAIL: \(client.command("NOOP") ?? "closed")" }
        guard let rcpt = client.command("RCPT TO:<bob@example.test>"), rcpt.hasPrefix("250") else { return "RCPT refused" }
        guard let data = client.command("DATA"), data.hasPrefix("354") else { return "DATA refused" }
        let line = String(repeating: "x", count: 998) + "\r\n"
        var text = "Subject: filler \(tag)\r\n\r\n"
        text += String(repeating: line, count: size / line.utf8.count)
        client.send(text + ".\r\n")
        let reply = client.reply() ?? "no reply"
        _ = client.command("QUIT")
        return reply
    }

    @Test("ingress answers 452 4.3.1 when the journal's file system is full and accepts again when space returns",
          .timeLimit(.minutes(3)))
    func fullDisk() throws {
        let workspace = Workspace()
        let home = workspace.file("var")
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        guard Self.mountTmpfs(home, size: "8m") else { return }
        defer { _ = try? runCommand("/bin/umount", ["-l", home], timeout: 20) }
        let daemon = try TernDaemonProcess(config: Self.config, workspace: workspace)
        defer { daemon.stop() }

        // Leave about 1.5 MiB free next to the journal.
        let fillerPath = home + "/filler"
        let fillerSize = max(0, Self.freeBytes(home) - 1_536 << 10)
        try Data(count: fillerSize).write(to: URL(fileURLWithPath: fillerPath))

        var acknowledged: [String] = []
        var refusal: String?
        for tag in 0..<40 {
            let reply = try Self.send(daemon.port, size: 200 << 10, tag: tag)
            if reply.hasPrefix("250") {
                acknowledged.append(try #require(reply.firstMatch(of: /queued as ([0-9a-z]{20})/).map { String($0.1) }))
            } else {
                refusal = reply
                break
            }
        }
        let refused = try #require(refusal, "40 messages of 200 KiB fitted in 1.5 MiB")
        #expect(refused.hasPrefix("452 4.3.1"), "got \(refused)\n\(daemon.log.suffix(3000))")
        #expect(!acknowledged.isEmpty, "the first message was refused already")

        // Still running and talking; refuses again while the disk is full.
        #expect(canConnect(port: daemon.port), "ternd stopped listening:\n\(daemon.log.suffix(2000))")
        #expect(try Self.send(daemon.port, size: 200 << 10, tag: 100).hasPrefix("452 4.3.1"))
        // A body past the 512 KiB that ingress keeps in memory spills to a file beside the journal.
        let spilled = try Self.send(daemon.port, size: 800 << 10, tag: 101)
        #expect(spilled.hasPrefix("452 4.3.1"), "a spilled body on a full disk: \(spilled)")

        // Space returns: ingress accepts again without a restart.
        try FileManager.default.removeItem(atPath: fillerPath)
        let accepted = try Self.send(daemon.port, size: 200 << 10, tag: 200)
        #expect(accepted.hasPrefix("250 2.0.0"), "after freeing space: \(accepted)\n\(daemon.log.suffix(2000))")
        if let id = accepted.firstMatch(of: /queued as ([0-9a-z]{20})/).map({ String($0.1) }) { acknowledged.append(id) }

        // Every acknowledged message is in the journal, whole, after a clean stop.
        #expect(daemon.stop() == 0)
        let verify = try runCommand(BuiltProducts.path("ternctl"), ["verify", "--queue", daemon.queuePath])
        #expect(verify.status == 0, "ternctl verify: \(verify.output)\(verify.error)")
        let stored = Set(try daemon.queue().compactMap { $0["id"] as? String })
        #expect(Set(acknowledged).isSubset(of: stored), "lost: \(Set(acknowledged).subtracting(stored))")
        for id in acknowledged.prefix(3) {
            #expect(try daemon.body(of: id).count > 200_000)
        }
    }
}
