import Foundation
import Testing
import TestSupport

/// Privileges and resources: `user` drops root after binding a privileged
/// port, and a flood of clients beyond the session limits, sending large
/// messages, leaves the daemon's memory bounded (bodies spill to disk).
@Suite("Hardening end to end", .serialized)
struct HardeningTests {
    /// Lines `Uid:`, `Gid:` and `Groups:` of /proc/PID/status.
    static func credentials(_ pid: Int32) -> [String: [String]] {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        var result: [String: [String]] = [:]
        for line in status.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == ":" || $0 == "\t" || $0 == " " }).map(String.init)
            guard let key = fields.first, ["Uid", "Gid", "Groups"].contains(key) else { continue }
            result[key] = Array(fields.dropFirst())
        }
        return result
    }

    /// The resident set size of `pid` in KiB.
    static func residentKiB(_ pid: Int32) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
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
        let ids = Self.credentials(daemon.pid)
        #expect(ids["Uid"] == Array(repeating: "\(uid)", count: 4), "\(ids)")
        #expect(ids["Gid"] == Array(repeating: "\(gid)", count: 4), "\(ids)")
        #expect(ids["Groups"] == ["\(gid)"], "\(ids)")
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

    @Test("a flood of clients beyond the session limits, sending 1 MiB messages, keeps ternd's memory bounded",
          .timeLimit(.minutes(3)))
    func floodMemoryBounded() throws {
        let daemon = try TernDaemonProcess(config: FullDiskTests.config + """

            smtp limits sessions 40 per-client 40
            """)
        let baseline = Self.residentKiB(daemon.pid)
        // 120 concurrent sessions for 40 slots, 200 messages of 1 MiB in all.
        let flood = try PeerProcess("/usr/sbin/smtp-source", [
            "-l", "\(1 << 20)", "-m", "200", "-s", "120", "-M", "flood.test",
            "-f", "alice@sender.test", "-t", "bob@example.test", "127.0.0.1:\(daemon.port)",
        ], package: "postfix")
        defer { flood.stop() }
        var peak = baseline
        let deadline = Date().addingTimeInterval(120)
        while flood.isRunning && Date() < deadline {
            peak = max(peak, Self.residentKiB(daemon.pid))
            Thread.sleep(forTimeInterval: 0.05)
        }
        flood.stop()
        let stored = try daemon.queue().count
        print("HardeningTests: RSS \(baseline / 1024) MiB before the flood, peak \(peak / 1024) MiB; \(stored) messages of 1 MiB stored")
        #expect(stored > 0, "nothing got through the flood: \(flood.output().suffix(1000))")
        // 40 sessions may each hold one 512 KiB in-memory body and NIO buffers;
        // everything past that spills to disk.
        #expect(peak - baseline < 256 << 10, "RSS grew by \((peak - baseline) / 1024) MiB")
        #expect(canConnect(port: daemon.port))
        #expect(daemon.stop() == 0)
    }
}
