import CLMDB
import Envelope
import Foundation

/// The changes behind quarantine, restore and replay, applied inside the
/// writer's transaction like every other `JournalChange`.
extension JournalStore {
    func quarantine(_ id: MessageID, reason: String, in txn: borrowing LMDBTransaction, now: Date) throws {
        guard let quarantine else { throw JournalError(.unavailable, "the journal has no quarantine database", messageID: id) }
        let messageBytes = try txn.get(messages, JournalKey.message(id))
        let recipientEntries = try entries(recipients, prefix: id.bytes, in: txn).filter { $0.0.count == 16 }
        guard messageBytes != nil || !recipientEntries.isEmpty else { return }

        var undecodable = false
        var recipientRecords: [(index: UInt32, bytes: [UInt8])] = []
        for (key, value) in recipientEntries {
            guard let index = JournalKey.withBuffer(key, JournalKey.parseIndexed)?.index else { continue }
            recipientRecords.append((index, value))
            if let recipient = try? value.withUnsafeBytes({ try RecipientRecord.decode($0) }) {
                if recipient.state.isInDueIndex { try txn.delete(schedule, JournalKey.schedule(recipient.nextAttempt, id, index)) }
            } else {
                undecodable = true
            }
            try txn.delete(recipients, key)
        }
        if undecodable {
            // The due time of a recipient that does not decode is unknown: look for its entries.
            try deleteEntries(schedule, in: txn) { JournalKey.parseSchedule($0)?.id == id }
        }
        if let messageBytes {
            let record = try? messageBytes.withUnsafeBytes { try MessageRecord.decode(id: id, $0) }
            if let record {
                if let completed = record.completed { try txn.delete(history, JournalKey.history(completed, id)) }
            } else {
                try deleteEntries(history, in: txn) { JournalKey.parseHistory($0)?.id == id }
            }
            try txn.delete(messages, JournalKey.message(id))
        }
        let entry = QuarantineRecord(reason: reason, quarantined: now, messageRecord: messageBytes, recipientRecords: recipientRecords)
        try txn.put(quarantine, JournalKey.message(id), entry.encoded())
    }

    /// Deletes every entry of `db` whose key matches (a full scan: for rare repairs only).
    private func deleteEntries(_ db: LMDBDatabase, in txn: borrowing LMDBTransaction, where matches: (UnsafeRawBufferPointer) -> Bool) throws {
        var keys: [[UInt8]] = []
        try txn.scan(db) { key, _ in
            if matches(key) { keys.append(Array(key)) }
            return true
        }
        for key in keys { try txn.delete(db, key) }
    }

    func restore(_ message: RestoredMessage, in txn: borrowing LMDBTransaction) throws {
        let id = message.envelope.id
        guard try txn.get(messages, JournalKey.message(id)) == nil else {
            throw JournalError(.invalidChange, "message id already in the journal", messageID: id)
        }
        guard message.recipients.count <= Int(UInt32.max) else {
            throw JournalError(.invalidChange, "too many recipients", messageID: id)
        }
        for (key, _) in try entries(recipients, prefix: id.bytes, in: txn) where key.count == 16 {
            throw JournalError(.invalidChange, "recipient records of this id are already in the journal", messageID: id)
        }
        let chunkCount: UInt32
        if let body = message.body {
            for (key, _) in try entries(bodies, prefix: id.bytes, in: txn) where key.count == 16 { try txn.delete(bodies, key) }
            chunkCount = try storeBody(body, id: id, in: txn)
        } else {
            chunkCount = try storedBodyChunks(of: id, size: message.envelope.size, in: txn)
        }
        let allFinal = message.recipients.allSatisfy(\.state.isFinal)
        let completed = allFinal ? message.completed : nil
        let record = MessageRecord(
            envelope: message.envelope,
            recipientCount: UInt32(message.recipients.count),
            bodyChunkCount: chunkCount,
            completed: completed
        )
        try txn.put(messages, JournalKey.message(id), record.encoded())
        for (offset, recipient) in message.recipients.enumerated() {
            let index = UInt32(offset)
            try txn.put(recipients, JournalKey.recipient(id, index), RecipientRecord.encode(recipient))
            if recipient.state.isInDueIndex {
                try txn.put(schedule, JournalKey.schedule(recipient.nextAttempt, id, index), [])
            }
        }
        if let completed { try txn.put(history, JournalKey.history(completed, id), []) }
        if let quarantine { try txn.delete(quarantine, JournalKey.message(id)) }
    }

    /// Checks the body chunks already stored under `id`: in sequence and `size` bytes in all.
    private func storedBodyChunks(of id: MessageID, size: Int, in txn: borrowing LMDBTransaction) throws -> UInt32 {
        var count: UInt32 = 0
        var total = 0
        var outOfSequence = false
        try txn.scan(bodies, from: id.bytes) { key, value in
            guard let entry = JournalKey.parseIndexed(key), entry.id == id else { return false }
            if entry.index != count { outOfSequence = true }
            count += 1
            total += value.count
            return true
        }
        guard count > 0, !outOfSequence, total == size else {
            throw JournalError(
                .invalidChange,
                "the stored body has \(total) bytes in \(count) chunk\(count == 1 ? "" : "s")\(outOfSequence ? " out of sequence" : ""), the envelope says \(size)",
                messageID: id
            )
        }
        return count
    }

    /// Returns false when there is no such message.
    func requeue(_ id: MessageID, indices: [UInt32], due: Date, expiry: Date?, in txn: borrowing LMDBTransaction) throws -> Bool {
        guard var record = try loadMessageRecord(id, in: txn) else { return false }
        let oldExpiry = record.envelope.expiry
        if let expiry, expiry > oldExpiry {
            record.envelope.expiry = expiry
            try txn.put(messages, JournalKey.message(id), record.encoded())
        }
        for index in 0..<record.recipientCount {
            let key = JournalKey.recipient(id, index)
            let stored = try txn.withValue(recipients, key) { bytes -> Recipient? in
                guard let bytes else { return nil }
                do {
                    return try RecipientRecord.decode(bytes)
                } catch {
                    throw JournalError(.corruptRecord, "recipient record: \(error)", messageID: id)
                }
            }
            guard var recipient = stored else { continue }
            if indices.contains(index) && recipient.state.isFinal {
                recipient.state = .scheduled
                recipient.attempts = 0
                recipient.nextAttempt = due
                recipient.delayWarned = false
            } else if recipient.state == .held && recipient.nextAttempt == oldExpiry && record.envelope.expiry != oldExpiry {
                // Held recipients wait in the due index at the expiry, which moved.
                try txn.delete(schedule, JournalKey.schedule(oldExpiry, id, index))
                recipient.nextAttempt = record.envelope.expiry
            } else {
                continue
            }
            try txn.put(recipients, key, RecipientRecord.encode(recipient))
            try txn.put(schedule, JournalKey.schedule(recipient.nextAttempt, id, index), [])
        }
        return true
    }
}
