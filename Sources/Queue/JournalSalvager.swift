import Envelope
import Foundation

/// Reads whatever still decodes out of a damaged journal, opened read-only,
/// message by message. Nothing here writes; `Journal.recover` stores the results.
struct JournalSalvager {
    /// One message as far as it could be read.
    enum Salvage {
        /// Saved, perhaps without some recipients (`lost` indices, with reasons).
        case saved(RestoredMessage, lost: [UInt32], reasons: [String])
        /// Nothing usable: why.
        case lost(String)
    }

    let environment: LMDBEnvironment
    let databases: [String: LMDBDatabase]

    init(path: String, mapSize: Int) throws {
        environment = try LMDBEnvironment(path: path, mapSize: mapSize, maxDatabases: 16, readOnly: true)
        databases = try environment.openDatabases(JournalStore.databaseNames, create: false)
    }

    /// The ids of `db`'s keys that name a message (their first 12 bytes), the
    /// number of keys that do not, and the LMDB error that cut the scan short
    /// (damaged pages), if one did. A missing database is a failure unless
    /// it is `optional` (older journals have no `quarantine`).
    func ids(in name: String, keyLengths: Set<Int>, optional: Bool = false) -> (ids: [MessageID], badKeys: Int, failure: String?) {
        guard let db = databases[name] else { return ([], 0, optional ? nil : "no \(name) database") }
        var ids: [MessageID] = []
        var bad = 0
        do {
            try environment.read { txn in
                try txn.scan(db) { key, _ in
                    if keyLengths.contains(key.count), let id = MessageID(bytes: key[0..<MessageID.byteCount]) {
                        if ids.last != id { ids.append(id) }
                    } else {
                        bad += 1
                    }
                    return true
                }
            }
        } catch {
            return (ids, bad, "reading \(name) stopped: \(error)")
        }
        return (ids, bad, nil)
    }

    /// Message `id` from the live databases.
    func salvage(_ id: MessageID) throws -> Salvage {
        try environment.read { txn in
            guard let messages = databases["messages"] else { return .lost("no messages database") }
            let record = try txn.get(messages, JournalKey.message(id))
            var entries: [(UInt32, [UInt8])] = []
            if let recipients = databases["recipients"] {
                try txn.scan(recipients, from: id.bytes) { key, value in
                    guard let entry = JournalKey.parseIndexed(key), entry.id == id else { return false }
                    entries.append((entry.index, Array(value)))
                    return true
                }
            }
            return try assemble(id, record: record, recipients: entries, in: txn)
        }
    }

    /// Quarantined message `id`.
    func salvageQuarantined(_ id: MessageID) throws -> Salvage {
        try environment.read { txn in
            guard let quarantine = databases["quarantine"], let bytes = try txn.get(quarantine, JournalKey.message(id)) else {
                return .lost("quarantine entry missing")
            }
            let entry: QuarantineRecord
            do {
                entry = try bytes.withUnsafeBytes { try QuarantineRecord.decode($0) }
            } catch {
                return .lost("quarantine entry does not decode: \(error)")
            }
            switch try assemble(id, record: entry.messageRecord, recipients: entry.recipientRecords.map { ($0.index, $0.bytes) }, in: txn) {
            case .lost(let reason): return .lost("quarantined (\(entry.reason)) and still unreadable: \(reason)")
            case let saved: return saved
            }
        }
    }

    private func assemble(_ id: MessageID, record bytes: [UInt8]?, recipients entries: [(UInt32, [UInt8])], in txn: borrowing LMDBTransaction) throws -> Salvage {
        guard let bytes else { return .lost("message record missing") }
        let record: MessageRecord
        do {
            record = try bytes.withUnsafeBytes { try MessageRecord.decode(id: id, $0) }
        } catch {
            return .lost("message record does not decode: \(error)")
        }
        var byIndex: [UInt32: [UInt8]] = [:]
        for (index, value) in entries { byIndex[index] = value }
        var recipients: [Recipient] = []
        var lost: [UInt32] = []
        var reasons: [String] = []
        for index in Set(byIndex.keys).union(0..<record.recipientCount).sorted() {
            guard let value = byIndex[index] else {
                lost.append(index)
                reasons.append("recipient \(index) missing")
                continue
            }
            do {
                recipients.append(try value.withUnsafeBytes { try RecipientRecord.decode($0) })
            } catch {
                lost.append(index)
                reasons.append("recipient \(index) does not decode: \(error)")
            }
        }
        guard !recipients.isEmpty else { return .lost("no recipient record decodes (\(reasons.joined(separator: "; ")))") }
        guard let bodies = databases["bodies"] else { return .lost("no bodies database") }
        var body: [UInt8] = []
        body.reserveCapacity(record.envelope.size)
        for chunk in 0..<record.bodyChunkCount {
            guard let value = try txn.get(bodies, JournalKey.bodyChunk(id, chunk)) else { return .lost("body chunk \(chunk) missing") }
            body += value
        }
        guard body.count == record.envelope.size else {
            return .lost("body has \(body.count) bytes, the record says \(record.envelope.size)")
        }
        let message = RestoredMessage(envelope: record.envelope, recipients: recipients, body: .bytes(body), completed: record.completed)
        return .saved(message, lost: lost, reasons: reasons)
    }
}
