import CLMDB
import Envelope
import Foundation

/// The journal's databases and the logic that applies changes inside one
/// write transaction. Only the writer thread calls `apply`.
struct JournalStore: Sendable {
    static let databaseNames = ["meta", "messages", "bodies", "recipients", "schedule", "history", "quarantine"]

    let environment: LMDBEnvironment
    let meta: LMDBDatabase
    let messages: LMDBDatabase
    let bodies: LMDBDatabase
    let recipients: LMDBDatabase
    let schedule: LMDBDatabase
    let history: LMDBDatabase
    /// Records taken out of service because they do not decode; nil only in a
    /// read-only view of a journal written before quarantine existed.
    let quarantine: LMDBDatabase?
    let bodyChunkSize: Int

    /// Opens the databases; a writable store creates missing ones (so older
    /// journals gain `quarantine`), a read-only one requires all but `quarantine`.
    init(environment: LMDBEnvironment, create: Bool, bodyChunkSize: Int) throws(LMDBError) {
        let databases = try environment.openDatabases(Self.databaseNames, create: create)
        func required(_ name: String) throws(LMDBError) -> LMDBDatabase {
            guard let database = databases[name] else { throw LMDBError(code: MDB_NOTFOUND, operation: "mdb_dbi_open \(name)") }
            return database
        }
        self.environment = environment
        meta = try required("meta")
        messages = try required("messages")
        bodies = try required("bodies")
        recipients = try required("recipients")
        schedule = try required("schedule")
        history = try required("history")
        quarantine = databases["quarantine"]
        self.bodyChunkSize = bodyChunkSize
    }

    // MARK: - Writing

    /// Applies `changes` in `txn`; throws without partial effects only when
    /// the caller aborts the (nested) transaction.
    func apply(_ changes: [JournalChange], in txn: borrowing LMDBTransaction, now: Date) throws {
        var touched: [MessageID] = []
        for change in changes {
            switch change {
            case .enqueue(let message):
                try enqueue(message, in: txn)
                touched.append(message.envelope.id)
            case .updateRecipient(let id, let index, let recipient):
                if try updateRecipient(id, index: index, recipient, in: txn) { touched.append(id) }
            case .remove(let id):
                try remove(id, in: txn)
            case .purgeHistory(let before):
                try purgeHistory(before: before, in: txn)
            case .quarantine(let id, let reason):
                try quarantine(id, reason: reason, in: txn, now: now)
            case .restore(let message):
                try restore(message, in: txn)
                touched.append(message.envelope.id)
            case .requeue(let id, let indices, let due, let expiry):
                if try requeue(id, indices: indices, due: due, expiry: expiry, in: txn) { touched.append(id) }
            }
        }
        for id in Set(touched) { try refreshCompletion(of: id, in: txn, now: now) }
    }

    private func enqueue(_ message: NewMessage, in txn: borrowing LMDBTransaction) throws {
        let id = message.envelope.id
        guard try txn.get(messages, JournalKey.message(id)) == nil else {
            throw JournalError(.invalidChange, "message id already in the journal", messageID: id)
        }
        guard message.recipients.count <= Int(UInt32.max) else {
            throw JournalError(.invalidChange, "too many recipients", messageID: id)
        }
        let chunkCount = try storeBody(message.body, id: id, in: txn)
        let record = MessageRecord(
            envelope: message.envelope,
            recipientCount: UInt32(message.recipients.count),
            bodyChunkCount: chunkCount,
            completed: nil
        )
        try txn.put(messages, JournalKey.message(id), record.encoded(), append: true)
        for (offset, recipient) in message.recipients.enumerated() {
            let index = UInt32(offset)
            try txn.put(recipients, JournalKey.recipient(id, index), RecipientRecord.encode(recipient), append: true)
            if recipient.state.isInDueIndex {
                try txn.put(schedule, JournalKey.schedule(recipient.nextAttempt, id, index), [])
            }
        }
    }

    /// Writes the body in chunks of at most `bodyChunkSize`; returns the chunk count.
    func storeBody(_ body: MessageBody, id: MessageID, in txn: borrowing LMDBTransaction) throws -> UInt32 {
        switch body {
        case .bytes(let bytes):
            var chunk: UInt32 = 0
            var start = 0
            repeat {
                let end = min(bytes.count, start + bodyChunkSize)
                try txn.put(bodies, JournalKey.bodyChunk(id, chunk), Array(bytes[start..<end]), append: true)
                chunk += 1
                start = end
            } while start < bytes.count
            return chunk
        case .file(let path, let size):
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw JournalError(.invalidChange, "cannot open body file \(path): \(String(cString: strerror(errno)))", messageID: id)
            }
            defer { close(fd) }
            var chunk: UInt32 = 0
            var offset = 0
            repeat {
                let length = min(size - offset, bodyChunkSize)
                try txn.putReserved(bodies, JournalKey.bodyChunk(id, chunk), size: length, append: true) { space in
                    try Self.readFully(fd: fd, into: space, at: offset, path: path, id: id)
                }
                chunk += 1
                offset += length
            } while offset < size
            return chunk
        }
    }

    private static func readFully(fd: Int32, into space: UnsafeMutableRawBufferPointer, at fileOffset: Int, path: String, id: MessageID) throws {
        var filled = 0
        while filled < space.count {
            let count = pread(fd, space.baseAddress! + filled, space.count - filled, off_t(fileOffset + filled))
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                throw JournalError(.invalidChange, "body file \(path) shorter than its declared size", messageID: id)
            }
            filled += count
        }
    }

    /// Returns false when the message no longer exists (removed meanwhile).
    private func updateRecipient(_ id: MessageID, index: UInt32, _ recipient: Recipient, in txn: borrowing LMDBTransaction) throws -> Bool {
        let key = JournalKey.recipient(id, index)
        let old = try txn.withValue(recipients, key) { bytes -> Recipient? in
            guard let bytes else { return nil }
            return try? RecipientRecord.decode(bytes)
        }
        guard try txn.get(messages, JournalKey.message(id)) != nil else { return false }
        if let old, old.state.isInDueIndex {
            try txn.delete(schedule, JournalKey.schedule(old.nextAttempt, id, index))
        }
        try txn.put(recipients, key, RecipientRecord.encode(recipient))
        if recipient.state.isInDueIndex {
            try txn.put(schedule, JournalKey.schedule(recipient.nextAttempt, id, index), [])
        }
        return true
    }

    /// Lists the message in `history` once every recipient is final, and takes
    /// it out again when a recipient is scheduled anew (replay).
    private func refreshCompletion(of id: MessageID, in txn: borrowing LMDBTransaction, now: Date) throws {
        guard var record = try loadMessageRecord(id, in: txn) else { return }
        var allFinal = true
        try txn.scan(recipients, from: id.bytes) { key, value in
            guard key.count == 16, key.starts(with: record.envelope.id.bytes) else { return false }
            let state = (try? RecipientRecord.decode(value))?.state
            if state?.isFinal != true { allFinal = false }
            return allFinal
        }
        switch (allFinal, record.completed) {
        case (true, nil):
            record.completed = now
            try txn.put(history, JournalKey.history(now, id), [], append: true)
        case (false, let completed?):
            try txn.delete(history, JournalKey.history(completed, id))
            record.completed = nil
        default:
            return
        }
        try txn.put(messages, JournalKey.message(id), record.encoded())
    }

    private func remove(_ id: MessageID, in txn: borrowing LMDBTransaction) throws {
        let record = try? loadMessageRecord(id, in: txn)
        if let completed = record?.completed { try txn.delete(history, JournalKey.history(completed, id)) }
        try txn.delete(messages, JournalKey.message(id))
        for (key, value) in try entries(recipients, prefix: id.bytes, in: txn) {
            if let recipient = try? value.withUnsafeBytes({ try RecipientRecord.decode($0) }), recipient.state.isInDueIndex,
               let index = JournalKey.withBuffer(key, JournalKey.parseIndexed)?.index {
                try txn.delete(schedule, JournalKey.schedule(recipient.nextAttempt, id, index))
            }
            try txn.delete(recipients, key)
        }
        for (key, _) in try entries(bodies, prefix: id.bytes, in: txn) { try txn.delete(bodies, key) }
        if let quarantine { try txn.delete(quarantine, JournalKey.message(id)) }
    }

    private func purgeHistory(before: Date, in txn: borrowing LMDBTransaction) throws {
        var expired: [MessageID] = []
        let limit = before.journalMilliseconds
        try txn.scan(history) { key, _ in
            guard let entry = JournalKey.parseHistory(key), entry.completed.journalMilliseconds < limit else { return false }
            expired.append(entry.id)
            return true
        }
        for id in expired { try remove(id, in: txn) }
    }

    // MARK: - Reading (inside any transaction)

    func loadMessageRecord(_ id: MessageID, in txn: borrowing LMDBTransaction) throws -> MessageRecord? {
        try txn.withValue(messages, JournalKey.message(id)) { bytes -> MessageRecord? in
            guard let bytes else { return nil }
            do {
                return try MessageRecord.decode(id: id, bytes)
            } catch {
                throw JournalError(.corruptRecord, "message record: \(error)", messageID: id)
            }
        }
    }

    /// Copies out every entry whose key starts with `prefix`.
    func entries(_ db: LMDBDatabase, prefix: [UInt8], in txn: borrowing LMDBTransaction) throws -> [([UInt8], [UInt8])] {
        var result: [([UInt8], [UInt8])] = []
        try txn.scan(db, from: prefix) { key, value in
            guard key.starts(with: prefix) else { return false }
            result.append((Array(key), Array(value)))
            return true
        }
        return result
    }
}

extension JournalKey {
    /// Runs a key parser over an array.
    static func withBuffer<T>(_ key: [UInt8], _ parse: (UnsafeRawBufferPointer) -> T?) -> T? {
        key.withUnsafeBytes { parse($0) }
    }
}
