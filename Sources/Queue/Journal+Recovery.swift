import Envelope
import Foundation
import Logging

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
}
