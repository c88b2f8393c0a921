import Foundation
import Testing
import TestSupport

/// Privileges and resources: `user` drops root after binding a privileged
/// port, and a flood of clients beyond the session limits, sending large
/// messages, leaves the daemon's memory bounded (bodies spill to disk).
@Suite("Hardening end to end", .serialized)
struct HardeningTests {
    /// Lines `Uid:`, `Gid:` and `Groups:` of /proc/TASK/status (`TASK`: `PID` or `PID/task/TID`).
    static func credentials(_ task: String) -> [String: [String]] {
        let status = (try? String(contentsOfFile: "/proc/\(task)/status", encoding: .utf8)) ?? ""
        var result: [String: [String]] = [:]
        for line in status.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == ":" || $0 == "\t" || $0 == " " }).map(String.init)
            guard let key = fields.first, ["Uid", "Gid", "Groups"].contains(key) else { continue }
            result[key] = Array(fields.dropFirst())
        }
        return result
    }

    /// A field of `/proc/PID/status` in KiB (`VmRSS`, `RssAnon`, `RssFile`), 0 when absent.
    static func statusKiB(_ pid: Int32, _ field: String) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix(field + ":") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    @Test("user nobody: ternd binds port 587 as root, then runs as nobody and owns its queue",
          .enabled(if: getuid() == 0, "needs root"), .timeLimit(.minutes(2)))
    func dropsPrivileges() throws {
        guard let nobody = getpwnam("nobody") else {
            print("HardeningTests: skipped, no user nobody")
            return
        }
        let (uid, gid) = (nobody.pointee.pw_uid, nobody.pointee.pw_gid)
        let workspace = Workspace()
        chmod(workspace.path, 0o755)  // nobody must reach var/queue inside it
        let daemon = try TernDaemonProcess(config: FullDiskTests.config + """

            user nobody
            listen on 127.0.0.7 port 587
            """, workspace: workspace)
        // The listeners are bound before the switch: wait until start-up is over.
        let started = LocalDeliveryTests.eventually(20) { daemon.log.contains("ternd started") }
        try #require(started, "ternd did not start:\n\(daemon.log)")
        // Every thread, the main thread included.
        let threads = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(daemon.pid)/task")
        #expect(!threads.isEmpty)
        for thread in threads {
            let ids = Self.credentials("\(daemon.pid)/task/\(thread)")
            #expect(ids["Uid"] == Array(repeating: "\(uid)", count: 4), "thread \(thread): \(ids)")
            #expect(ids["Gid"] == Array(repeating: "\(gid)", count: 4), "thread \(thread): \(ids)")
            #expect(ids["Groups"] == ["\(gid)"], "thread \(thread): \(ids)")
        }
        #expect(daemon.log.contains("running as user nobody"))

        // The privileged listener answers, and mail is stored by nobody.
        #expect(canConnect(address: "127.0.0.7", port: 587))
        _ = try LocalDeliveryTests.send(daemon, to: "bob@example.test", body: "Subject: as nobody\r\n\r\nhello\r\n")
        var info = stat()
        #expect(stat(daemon.queuePath, &info) == 0)
        #expect(info.st_uid == uid && info.st_mode & 0o777 == 0o700, "queue owned by \(info.st_uid), mode \(String(info.st_mode & 0o777, radix: 8))")
        for file in try FileManager.default.contentsOfDirectory(atPath: daemon.queuePath) {
            #expect(stat(daemon.queuePath + "/" + file, &info) == 0 && info.st_uid == uid, "\(file) belongs to \(info.st_uid)")
        }
        #expect(daemon.stop() == 0)

        // A restart finds the queue its own, the message still there.
        let again = try TernDaemonProcess(config: FullDiskTests.config + "\nuser nobody\n", workspace: workspace)
        #expect(try again.queue().count == 1)
        #expect(again.stop() == 0)
    }

    /// One flooding client: connects again and again until `until`, sending
    /// one message of `size` octets per session when it gets a session slot.
    static func flood(port: Int, size: Int, until deadline: Date, accepted: IngressCrashTests.Acknowledged) {
        let line = String(repeating: "f", count: 998) + "\r\n"
        let body = "Subject: flood\r\n\r\n" + String(repeating: line, count: size / line.utf8.count) + ".\r\n"
        while Date() < deadline {
            guard let client = try? RawSMTPClient(port: port, timeout: 20) else { continue }
            guard client.reply()?.hasPrefix("220") == true else { continue }  // 421: over the session limit
            guard client.command("EHLO flood.test")?.hasPrefix("250") == true,
                  client.command("MAIL FROM:<flood@sender.test>")?.hasPrefix("250") == true,
                  client.command("RCPT TO:<bob@example.test>")?.hasPrefix("250") == true,
                  client.command("DATA")?.hasPrefix("354") == true
            else { continue }
            client.send(body)
            if let reply = client.reply(), let id = reply.firstMatch(of: /queued as ([0-9a-z]{20})/).map({ String($0.1) }) {
                accepted.add(id, size: size)
            }
            _ = client.command("QUIT")
        }
    }

    @Test("a flood of 120 clients for 40 session slots, sending 1 MiB messages, keeps ternd's memory bounded",
          .timeLimit(.minutes(3)))
    func floodMemoryBounded() throws {
        let daemon = try TernDaemonProcess(config: FullDiskTests.config + """

            smtp limits sessions 40 per-client 40
            """)
        let baseline = Self.statusKiB(daemon.pid, "RssAnon")
        let accepted = IngressCrashTests.Acknowledged()
        let finished = DispatchGroup()
        let deadline = Date().addingTimeInterval(10)
        for _ in 0..<120 {
            finished.enter()
            Thread.detachNewThread { [port = daemon.port] in
                Self.flood(port: port, size: 1 << 20, until: deadline, accepted: accepted)
                finished.leave()
            }
        }
        var (peak, peakFile) = (baseline, 0)
        while finished.wait(timeout: .now() + 0.05) == .timedOut {
            peak = max(peak, Self.statusKiB(daemon.pid, "RssAnon"))
            peakFile = max(peakFile, Self.statusKiB(daemon.pid, "RssFile"))
        }
        let stored = try daemon.queue().count
        print("HardeningTests: anonymous memory \(baseline / 1024) MiB before the flood, peak \(peak / 1024) MiB (file-backed peak \(peakFile / 1024) MiB); \(accepted.all.count) messages of 1 MiB acknowledged, \(stored) stored")
        #expect(accepted.all.count > 0, "nothing got through the flood")
        #expect(stored >= accepted.all.count)
        // 40 sessions may each hold up to 512 KiB in memory before spilling, plus
        // NIO buffers and the journal's commit; 120 MiB of message bodies in flight
        // per round would show up here if bodies were held whole. File-backed pages
        // (the journal's memory map, read back by delivery) are page cache the
        // kernel reclaims under pressure, so they do not count.
        #expect(peak - baseline < 256 << 10, "anonymous memory grew by \((peak - baseline) / 1024) MiB")
        #expect(canConnect(port: daemon.port))
        #expect(daemon.stop() == 0)
    }
}
