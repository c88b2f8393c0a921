import Envelope
import Foundation
import Synchronization

/// Delivery to this machine: maildir, mbox and MDA (a command). Blocking
/// file and process work, so callers run it off the event loops.
enum LocalDelivery {
    /// Writes `message` into the maildir at `path` (created if needed): a
    /// unique file in `tmp`, fsynced, renamed into `new`, and `new` fsynced,
    /// so a crash leaves either no message or a whole one. With an `owner`
    /// (a user's uid and gid, when ternd runs as root) the maildir's
    /// directories and the message belong to that user.
    static func maildir(at path: String, message: [UInt8], owner: (uid: uid_t, gid: gid_t)? = nil) throws(DeliveryFailure) {
        for sub in ["", "/tmp", "/new", "/cur"] {
            do {
                try FileManager.default.createDirectory(atPath: path + sub, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw .temporary(EnhancedStatus(4, 2, 0), "cannot create maildir \(path + sub): \(error.localizedDescription)")
            }
            if let owner, chown(path + sub, owner.uid, owner.gid) != 0 {
                throw .temporary(EnhancedStatus(4, 3, 0), "cannot give maildir \(path + sub) to uid \(owner.uid): \(systemError())")
            }
        }
        let name = uniqueName()
        let temporary = "\(path)/tmp/\(name)"
        let final = "\(path)/new/\(name)"
        try writeFile(temporary, message, flags: O_WRONLY | O_CREAT | O_EXCL, owner: owner)
        guard rename(temporary, final) == 0 else {
            let reason = systemError()
            unlink(temporary)
            throw .temporary(EnhancedStatus(4, 2, 0), "cannot move \(temporary) into new/: \(reason)")
        }
        try syncDirectory("\(path)/new")
    }

    /// Appends `message` to the mbox at `path` under an exclusive lock, with a
    /// `From ` separator line and `>From ` quoting, then fsyncs it. With an
    /// `owner`, a mailbox that was empty is given to that user.
    static func mbox(at path: String, message: [UInt8], sender: ReversePath, date: Date, owner: (uid: uid_t, gid: gid_t)? = nil) throws(DeliveryFailure) {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .temporary(EnhancedStatus(4, 2, 0), "cannot open mbox \(path): \(systemError())") }
        defer { close(fd) }
        guard flock(fd, LOCK_EX) == 0 else { throw .temporary(EnhancedStatus(4, 2, 0), "cannot lock mbox \(path): \(systemError())") }
        defer { flock(fd, LOCK_UN) }
        let start = lseek(fd, 0, SEEK_END)
        if let owner, start == 0, fchown(fd, owner.uid, owner.gid) != 0 {
            throw .temporary(EnhancedStatus(4, 3, 0), "cannot give mbox \(path) to uid \(owner.uid): \(systemError())")
        }
        let entry = mboxEntry(message, sender: sender, date: date)
        do throws(DeliveryFailure) {
            try writeAll(fd, entry, path: path)
            guard fsync(fd) == 0 else { throw DeliveryFailure.temporary(EnhancedStatus(4, 3, 0), "cannot sync \(path): \(systemError())") }
        } catch {
            // Leave the mailbox as it was rather than with half a message.
            _ = ftruncate(fd, start)
            throw error
        }
    }

    /// The bytes appended to an mbox: `From sender date`, the message with
    /// `>From ` quoting and LF line endings, and a blank line.
    static func mboxEntry(_ message: [UInt8], sender: ReversePath, date: Date) -> [UInt8] {
        var entry = Array("From \(sender.address?.description ?? "MAILER-DAEMON") \(asctime(date))\n".utf8)
        entry.reserveCapacity(message.count + 64)
        for line in unixLines(message) {
            var body = line[...]
            while body.first == UInt8(ascii: ">") { body = body.dropFirst() }
            if body.starts(with: Array("From ".utf8)) { entry.append(UInt8(ascii: ">")) }
            entry.append(contentsOf: line)
            entry.append(UInt8(ascii: "\n"))
        }
        entry.append(UInt8(ascii: "\n"))
        return entry
    }

    /// Runs `/bin/sh -c command` with the message on standard input. Exit 0
    /// is delivered; sysexits' temporary codes (EX_TEMPFAIL, EX_OSERR,
    /// EX_IOERR, EX_CANTCREAT, EX_SOFTWARE, EX_CONFIG), a signal, a time-out
    /// or an unknown status are temporary; the others (EX_USAGE … EX_UNAVAILABLE,
    /// EX_PROTOCOL, EX_NOPERM) are permanent.
    static func mda(command: String, message: [UInt8], environment: [String: String], timeout: TimeInterval) throws(DeliveryFailure) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.environment = environment
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        do {
            try process.run()
        } catch {
            throw .temporary(EnhancedStatus(4, 3, 0), "cannot run MDA: \(error.localizedDescription)")
        }
        let collected = OutputCollector(output.fileHandleForReading)
        signal(SIGPIPE, SIG_IGN)
        try? input.fileHandleForWriting.write(contentsOf: unixLines(message).reduce(into: Data()) { $0.append(contentsOf: $1); $0.append(10) })
        try? input.fileHandleForWriting.close()
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            process.waitUntilExit()
            throw .temporary(EnhancedStatus(4, 3, 0), "MDA timed out after \(Int(timeout)) s")
        }
        process.waitUntilExit()
        let said = String(decoding: collected.wait().prefix(300), as: UTF8.self)
            .split(whereSeparator: \.isNewline).joined(separator: " ")
        let status = process.terminationStatus
        if process.terminationReason == .uncaughtSignal {
            throw .temporary(EnhancedStatus(4, 3, 0), "MDA killed by signal \(status)")
        }
        switch status {
        case 0: return
        case 64...69, 76, 77:
            throw .permanent(EnhancedStatus(5, 3, 0), "MDA exited with status \(status)\(said.isEmpty ? "" : ": \(said)")")
        default:
            throw .temporary(EnhancedStatus(4, 3, 0), "MDA exited with status \(status)\(said.isEmpty ? "" : ": \(said)")")
        }
    }

    // MARK: - Helpers

    /// The message's lines without their CRLF (or LF) endings.
    static func unixLines(_ message: [UInt8]) -> [ArraySlice<UInt8>] {
        var lines = message.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        return lines.map { $0.last == UInt8(ascii: "\r") ? $0.dropLast() : $0 }
    }

    /// `message` with LF line endings, as maildir readers expect.
    static func withUnixLineEndings(_ message: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(message.count)
        for line in unixLines(message) {
            out.append(contentsOf: line)
            out.append(UInt8(ascii: "\n"))
        }
        return out
    }

    private static let counter = Mutex(0)

    private static func uniqueName() -> String {
        let now = Date().timeIntervalSince1970
        let sequence = counter.withLock { value in
            value += 1
            return value
        }
        let host = ProcessInfo.processInfo.hostName.replacingOccurrences(of: "/", with: "\\057").replacingOccurrences(of: ":", with: "\\072")
        return "\(Int(now)).M\(Int(now.truncatingRemainder(dividingBy: 1) * 1_000_000))P\(getpid())Q\(sequence).\(host)"
    }

    private static func writeFile(_ path: String, _ bytes: [UInt8], flags: Int32, owner: (uid: uid_t, gid: gid_t)?) throws(DeliveryFailure) {
        let fd = open(path, flags | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .temporary(EnhancedStatus(4, 2, 0), "cannot create \(path): \(systemError())") }
        defer { close(fd) }
        if let owner, fchown(fd, owner.uid, owner.gid) != 0 {
            unlink(path)
            throw .temporary(EnhancedStatus(4, 3, 0), "cannot give \(path) to uid \(owner.uid): \(systemError())")
        }
        do {
            try writeAll(fd, bytes, path: path)
        } catch {
            unlink(path)
            throw error
        }
        guard fsync(fd) == 0 else {
            unlink(path)
            throw .temporary(EnhancedStatus(4, 3, 0), "cannot sync \(path): \(systemError())")
        }
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(DeliveryFailure) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                let full = errno == ENOSPC || errno == EDQUOT
                throw .temporary(full ? EnhancedStatus(4, 2, 2) : EnhancedStatus(4, 3, 0), "cannot write \(path): \(systemError())")
            }
            offset += written
        }
    }

    private static func syncDirectory(_ path: String) throws(DeliveryFailure) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .temporary(EnhancedStatus(4, 3, 0), "cannot open \(path): \(systemError())") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .temporary(EnhancedStatus(4, 3, 0), "cannot sync \(path): \(systemError())") }
    }

    private static func systemError() -> String { String(cString: strerror(errno)) }

    /// `Wed Nov 25 11:20:27 2026`, the date format of mbox separator lines, in UTC.
    static func asctime(_ date: Date) -> String {
        var time = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&time, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let day = parts.tm_mday < 10 ? " \(parts.tm_mday)" : "\(parts.tm_mday)"
        return "\(days[Int(parts.tm_wday)]) \(months[Int(parts.tm_mon)]) \(day) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) \(parts.tm_year + 1900)"
    }
}

/// Reads a pipe to its end on a thread of its own.
///
/// `@unchecked Sendable`: `data` is written by the reader thread before it
/// signals `done`, and read only after waiting for `done`.
final class OutputCollector: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}
