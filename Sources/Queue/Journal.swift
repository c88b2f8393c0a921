import CLMDB
import Envelope
import Foundation
import Logging

/// A message as the journal holds it.
public struct QueuedMessage: Hashable, Sendable {
    public var envelope: Envelope
    /// Recipients in index order.
    public var recipients: [Recipient]
    /// When every recipient reached a final state, if they have.
    public var completed: Date?
}

/// A recipient whose next attempt is due, from the due index.
public struct DueRecipient: Hashable, Sendable {
    public var due: Date
    public var messageID: MessageID
    public var index: UInt32
}

/// A message listed in `history`.
public struct CompletedMessage: Hashable, Sendable {
    public var completed: Date
    public var messageID: MessageID
}

/// Entry counts of the journal's databases.
public struct JournalCounts: Hashable, Sendable {
    public var messages: Int
    public var recipients: Int
    /// Entries of the due index: scheduled and held recipients.
    public var scheduled: Int
    public var completed: Int
}

/// The durable envelope journal (DESIGN.md): messages, bodies, recipients,
/// the due index and history in one LMDB environment.
///
/// Writes go through `commit`, which group-commits: it returns only after the
/// change is synced to disk, and concurrent callers share one sync. Reads run
/// on the caller's thread in a consistent snapshot.
public final class Journal: Sendable {
    /// Tuning knobs; every default is here.
    public struct Options: Sendable {
        /// The initial map size (reserved address space, not disk).
        public var mapSize = 16 << 30
        /// The largest the map may grow to on `MDB_MAP_FULL`.
        public var maxMapSize = 1 << 40
        /// Bodies are stored in chunks of at most this many bytes.
        public var bodyChunkSize = 1 << 20
        /// Open without taking the writer's lock or starting a writer (for inspection).
        public var readOnly = false
        /// The clock used for completion times.
        public var clock: @Sendable () -> Date = { Date() }
        /// Told after each commit how many submissions it carried and how
        /// long the transaction and its sync took (for metrics). Called on
        /// the writer thread: it must return quickly.
        public var commitObserver: (@Sendable (_ submissions: Int, _ duration: Duration) -> Void)?

        public init() {}
    }

    /// The directory holding `data.mdb`, `lock.mdb` and `tern.lock`.
    public let path: String
    let store: JournalStore
    private let committer: GroupCommitter?
    private let lockDescriptor: Int32

    /// Opens (creating if needed) the journal in directory `path`; takes an
    /// exclusive lock so that a second daemon or an offline tool cannot use
    /// it at the same time.
    public init(path: String, options: Options = Options(), logger: Logger = Logger(label: "tern.journal")) throws {
        if !options.readOnly {
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw JournalError(.unavailable, "cannot create journal directory \(path): \(error.localizedDescription)")
            }
        }
        let lockPath = path + "/tern.lock"
        let descriptor = open(lockPath, (options.readOnly ? O_RDONLY : O_RDWR | O_CREAT) | O_CLOEXEC, 0o600)
        // A reader needs no lock file (a journal copied from elsewhere may lack one).
        guard descriptor >= 0 || (options.readOnly && errno == ENOENT) else {
            throw JournalError(.unavailable, "cannot open \(lockPath): \(String(cString: strerror(errno)))")
        }
        if !options.readOnly && flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            Glibc.close(descriptor)
            throw JournalError(.locked, "\(path) is in use by another process")
        }
        do {
            let environment = try LMDBEnvironment(path: path, mapSize: options.mapSize, maxDatabases: 16, readOnly: options.readOnly)
            store = try JournalStore(environment: environment, create: !options.readOnly, bodyChunkSize: options.bodyChunkSize)
        } catch {
            if descriptor >= 0 { Glibc.close(descriptor) }
            throw JournalError.from(error)
        }
        self.path = path
        lockDescriptor = descriptor
        committer = options.readOnly
            ? nil
            : GroupCommitter(
                store: store, maxMapSize: max(options.maxMapSize, options.mapSize), clock: options.clock,
                observer: options.commitObserver, logger: logger
            )
    }

    deinit {
        committer?.stop()
        if lockDescriptor >= 0 { Glibc.close(lockDescriptor) }
    }

    /// Commits what is pending and stops accepting changes.
    public func close() {
        committer?.stop()
    }

    // MARK: - Writing

    /// Applies `changes` atomically and durably.
    public func commit(_ changes: [JournalChange]) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            commit(changes) { continuation.resume(with: $0) }
        }
    }

    /// Applies `changes` atomically and durably, then calls `completion` on
    /// the journal's writer thread, which it must leave at once (hand the
    /// result to an event loop or a task).
    public func commit(_ changes: [JournalChange], completion: @escaping @Sendable (Result<Void, any Error>) -> Void) {
        guard let committer else { return completion(.failure(JournalError(.closed, "the journal was opened read-only"))) }
        if case .some(let problem) = Self.validate(changes) { return completion(.failure(problem)) }
        committer.submit(changes, completion: completion)
    }

    /// Stores a new message durably.
    public func enqueue(_ message: NewMessage) async throws {
        try await commit([.enqueue(message)])
    }

    private static func validate(_ changes: [JournalChange]) -> JournalError? {
        for change in changes {
            let envelope: Envelope
            let body: MessageBody
            switch change {
            case .enqueue(let message): (envelope, body) = (message.envelope, message.body)
            case .restore(let message):
                guard let restoredBody = message.body else { continue }
                (envelope, body) = (message.envelope, restoredBody)
            default: continue
            }
            if envelope.size != body.size {
                return JournalError(.invalidChange, "envelope size \(envelope.size) differs from body size \(body.size)", messageID: envelope.id)
            }
        }
        return nil
    }

    /// Group-commit totals since the journal was opened.
    public var commitStatistics: (commits: Int, submissions: Int, largestBatch: Int) {
        let stats = committer?.statistics ?? .init()
        return (stats.commits, stats.submissions, stats.largestBatch)
    }

    // MARK: - Reading

    /// The message with `id`, or nil.
    /// - Throws: `JournalError` `.corruptRecord` when a record does not
    ///   decode, or recipients are stored without their message record.
    public func message(_ id: MessageID) throws -> QueuedMessage? {
        try store.environment.read { txn in
            guard let record = try store.loadMessageRecord(id, in: txn) else {
                if try !recipients(of: id, in: txn).isEmpty {
                    throw JournalError(.corruptRecord, "recipient records without their message record", messageID: id)
                }
                return nil
            }
            return QueuedMessage(envelope: record.envelope, recipients: try recipients(of: id, in: txn), completed: record.completed)
        }
    }

    func recipients(of id: MessageID, in txn: borrowing LMDBTransaction) throws -> [Recipient] {
        var result: [Recipient] = []
        var failure: JournalError?
        try txn.scan(store.recipients, from: id.bytes) { key, value in
            guard key.count == 16, key.starts(with: id.bytes) else { return false }
            do {
                result.append(try RecipientRecord.decode(value))
                return true
            } catch {
                failure = JournalError(.corruptRecord, "recipient record: \(error)", messageID: id)
                return false
            }
        }
        if let failure { throw failure }
        return result
    }

    /// The stored message bytes of `id`, or nil.
    public func body(of id: MessageID) throws -> [UInt8]? {
        var bytes: [UInt8] = []
        let found = try readBody(of: id) { bytes.append(contentsOf: $0) }
        return found ? bytes : nil
    }

    /// Streams the stored message bytes of `id` chunk by chunk; returns false
    /// when there is no such message.
    @discardableResult
    public func readBody(of id: MessageID, _ consume: (UnsafeRawBufferPointer) throws -> Void) throws -> Bool {
        try store.environment.read { txn in
            guard let record = try store.loadMessageRecord(id, in: txn) else { return false }
            for chunk in 0..<record.bodyChunkCount {
                let present = try txn.withValue(store.bodies, JournalKey.bodyChunk(id, chunk)) { bytes -> Bool in
                    guard let bytes else { return false }
                    try consume(bytes)
                    return true
                }
                guard present else { throw JournalError(.corruptRecord, "body chunk \(chunk) missing", messageID: id) }
            }
            return true
        }
    }

    /// Recipients due at or before `until`, earliest first, at most `limit`;
    /// with `after`, only those listed after that entry of the due index.
    public func dueRecipients(after: DueRecipient? = nil, until: Date, limit: Int = .max) throws -> [DueRecipient] {
        let cutoff = until.journalMilliseconds
        let start = after.map { JournalKey.schedule($0.due, $0.messageID, $0.index) } ?? []
        return try store.environment.read { txn in
            var result: [DueRecipient] = []
            try txn.scan(store.schedule, from: start) { key, _ in
                guard result.count < limit, let entry = JournalKey.parseSchedule(key),
                      entry.due.journalMilliseconds <= cutoff else { return false }
                let due = DueRecipient(due: entry.due, messageID: entry.id, index: entry.index)
                if due != after { result.append(due) }
                return true
            }
            return result
        }
    }

    /// Message ids in order, starting after `after`, at most `limit`.
    public func messageIDs(after: MessageID? = nil, limit: Int = .max) throws -> [MessageID] {
        try store.environment.read { txn in
            var result: [MessageID] = []
            try txn.scan(store.messages, from: after?.bytes ?? []) { key, _ in
                guard result.count < limit else { return false }
                if let id = MessageID(bytes: UnsafeRawBufferPointer(key)), id != after { result.append(id) }
                return true
            }
            return result
        }
    }

    /// Messages completed in `from..<until`, oldest first.
    public func history(from: Date = .distantPast, until: Date = .distantFuture) throws -> [CompletedMessage] {
        let end = until.journalMilliseconds
        return try store.environment.read { txn in
            var result: [CompletedMessage] = []
            try txn.scan(store.history, from: JournalKey.timePrefix(from)) { key, _ in
                guard let entry = JournalKey.parseHistory(key), entry.completed.journalMilliseconds < end else { return false }
                result.append(CompletedMessage(completed: entry.completed, messageID: entry.id))
                return true
            }
            return result
        }
    }

    /// Entry counts of the journal's databases.
    public func counts() throws -> JournalCounts {
        try store.environment.read { txn in
            JournalCounts(
                messages: try txn.count(store.messages),
                recipients: try txn.count(store.recipients),
                scheduled: try txn.count(store.schedule),
                completed: try txn.count(store.history)
            )
        }
    }

    /// Bytes of the data file in use.
    public var usedBytes: Int { store.environment.usedBytes() }
}
