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

        /// Damaged pages make LMDB fail a read: that message is lost, the walk goes on.
        func salvage(_ id: MessageID, _ read: (MessageID) throws -> JournalSalvager.Salvage) -> JournalSalvager.Salvage {
            do {
                return try read(id)
            } catch {
                return .lost("cannot be read: \(error)")
            }
        }

        let messages = salvager.ids(in: "messages", keyLengths: [MessageID.byteCount])
        if messages.badKeys > 0 { report.lost.append((nil, "\(messages.badKeys) message keys of the wrong length")) }
        if let failure = messages.failure { report.lost.append((nil, failure)) }
        for id in messages.ids { try await take(id, salvage(id, salvager.salvage)) }

        let quarantined = salvager.ids(in: "quarantine", keyLengths: [MessageID.byteCount], optional: true)
        let live = Set(messages.ids)
        for id in quarantined.ids where !live.contains(id) { try await take(id, salvage(id, salvager.salvageQuarantined)) }
        try await flush()

        let known = live.union(quarantined.ids)
        let recipients = salvager.ids(in: "recipients", keyLengths: [16])
        let bodies = salvager.ids(in: "bodies", keyLengths: [16])
        for id in Set(recipients.ids).union(bodies.ids).subtracting(known).sorted() {
            report.lost.append((id, "recipient or body records without their message record"))
        }
        if recipients.badKeys + bodies.badKeys > 0 {
            report.lost.append((nil, "\(recipients.badKeys + bodies.badKeys) recipient or body keys of the wrong length"))
        }
        for failure in [quarantined.failure, recipients.failure, bodies.failure].compactMap({ $0 }) { report.lost.append((nil, failure)) }
        return report
    }
}
