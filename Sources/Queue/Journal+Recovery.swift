import Envelope
import Foundation
import Logging

/// What `Journal.recover` saved and what it could not.
public struct RecoveryReport: Sendable {
    /// Messages saved whole.
    public var recovered: [MessageID] = []
    /// Messages saved without some recipients, with why each was lost.
    public var partial: [(id: MessageID, lostRecipients: [UInt32], reasons: [String])] = []
    /// Messages and records that could not be saved, with why.
    public var lost: [(id: MessageID?, reason: String)] = []

    /// Whether everything was saved.
    public var isComplete: Bool { partial.isEmpty && lost.isEmpty }
}

extension Journal {
    /// Salvages everything readable from the (possibly damaged) journal at
    /// `damaged` into a fresh journal at `fresh`: every message whose record,
    /// body and at least one recipient decode, with the recipients' states
    /// and times; the due index and history are rebuilt from those records.
    /// Quarantined messages whose records decode now are saved too. The
    /// damaged journal is opened read-only and not changed.
    ///
    /// - Throws: `JournalError` `.locked` when a daemon holds `damaged`,
    ///   `.invalidChange` when `fresh` already holds a journal, or the error
    ///   that kept the damaged environment from opening at all.
    public static func recover(damaged: String, into fresh: String, options: Options = Options(), logger: Logger = Logger(label: "tern.recover")) async throws -> RecoveryReport {
        let lock = try JournalLock(path: damaged, create: false)
        defer { lock.release() }
        guard !FileManager.default.fileExists(atPath: fresh + "/data.mdb") else {
            throw JournalError(.invalidChange, "\(fresh) already holds a journal; recover into a new directory")
        }
        let salvager: JournalSalvager
        do {
            salvager = try JournalSalvager(path: damaged, mapSize: options.mapSize)
        } catch let error as LMDBError {
            throw JournalError(.unavailable, "cannot open \(damaged): \(error)")
        }
        var freshOptions = options
        freshOptions.readOnly = false
        let target = try Journal(path: fresh, options: freshOptions, logger: logger)
        defer { target.close() }

        var report = RecoveryReport()
        var pending: [JournalChange] = []
        var pendingBytes = 0
        func flush() async throws {
            guard !pending.isEmpty else { return }
            try await target.commit(pending)
            pending.removeAll()
            pendingBytes = 0
        }
        func take(_ id: MessageID, _ salvage: JournalSalvager.Salvage) async throws {
            switch salvage {
            case .lost(let reason):
                report.lost.append((id, reason))
            case .saved(let message, let lostRecipients, let reasons):
                if lostRecipients.isEmpty { report.recovered.append(id) } else { report.partial.append((id, lostRecipients, reasons)) }
                pending.append(.restore(message))
                pendingBytes += message.envelope.size
                if pending.count >= 64 || pendingBytes >= 32 << 20 { try await flush() }
            }
        }

        let (messageIDs, badMessageKeys) = try salvager.ids(in: "messages", keyLengths: [MessageID.byteCount])
        if badMessageKeys > 0 { report.lost.append((nil, "\(badMessageKeys) message keys of the wrong length")) }
        for id in messageIDs { try await take(id, try salvager.salvage(id)) }

        let (quarantined, _) = try salvager.ids(in: "quarantine", keyLengths: [MessageID.byteCount])
        let live = Set(messageIDs)
        for id in quarantined where !live.contains(id) { try await take(id, try salvager.salvageQuarantined(id)) }
        try await flush()

        let known = live.union(quarantined)
        let (recipientIDs, badRecipientKeys) = try salvager.ids(in: "recipients", keyLengths: [16])
        let (bodyIDs, badBodyKeys) = try salvager.ids(in: "bodies", keyLengths: [16])
        for id in Set(recipientIDs).union(bodyIDs).subtracting(known).sorted() {
            report.lost.append((id, "recipient or body records without their message record"))
        }
        if badRecipientKeys + badBodyKeys > 0 {
            report.lost.append((nil, "\(badRecipientKeys + badBodyKeys) recipient or body keys of the wrong length"))
        }
        return report
    }

    /// Writes a compacted copy of the journal at `path` (free pages dropped)
    /// and swaps it in place of the data file; refuses while a daemon holds
    /// the journal. Readers opened before keep reading the old file until
    /// they close.
    /// - Returns: the data file's size before and after, in bytes.
    public static func compact(path: String) throws -> (before: Int, after: Int) {
        let lock = try JournalLock(path: path, create: false)
        defer { lock.release() }
        let data = path + "/data.mdb"
        let temporary = path + "/compact.tmp"
        let before = fileSize(data)
        try? FileManager.default.removeItem(atPath: temporary)
        guard mkdir(temporary, 0o700) == 0 else {
            throw JournalError(.unavailable, "cannot create \(temporary): \(String(cString: strerror(errno)))")
        }
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        do {
            let environment = try LMDBEnvironment(path: path, mapSize: Options().mapSize, maxDatabases: 16, readOnly: true)
            try environment.copyCompacted(to: temporary)
        } catch {
            throw JournalError.from(error)
        }
        try syncFile(temporary + "/data.mdb")
        guard rename(temporary + "/data.mdb", data) == 0 else {
            throw JournalError(.unavailable, "cannot replace \(data): \(String(cString: strerror(errno)))")
        }
        // The reader table describes the old file; LMDB makes a new one on the next open.
        unlink(path + "/lock.mdb")
        try syncFile(path)
        return (before, fileSize(data))
    }

    private static func fileSize(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }

    private static func syncFile(_ path: String) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0, fsync(descriptor) == 0 else {
            if descriptor >= 0 { Glibc.close(descriptor) }
            throw JournalError(.unavailable, "cannot sync \(path): \(String(cString: strerror(errno)))")
        }
        Glibc.close(descriptor)
    }
}
