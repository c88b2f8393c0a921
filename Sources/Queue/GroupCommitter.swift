import Envelope
import Foundation
import Logging

/// The journal's single writer: it folds every change submitted while the
/// previous commit was syncing into one LMDB transaction and one sync, and
/// answers each caller only after its changes are durable (DESIGN.md,
/// durability contract 5).
///
/// The submissions of a batch share one transaction; when one of them fails
/// by itself, the batch is applied again with each submission in a nested
/// transaction of its own, so that it fails alone. `MDB_MAP_FULL` aborts the
/// whole batch, grows the map and retries it.
///
/// `@unchecked Sendable`: `pending`, `stopping` and `statistics` are guarded by
/// `condition`; everything else is immutable or touched only by the writer thread.
final class GroupCommitter: @unchecked Sendable {
    private struct Submission {
        let changes: [JournalChange]
        let completion: @Sendable (Result<Void, any Error>) -> Void
    }

    /// Totals since start, for metrics and benchmarks.
    struct Statistics: Sendable {
        var commits = 0
        var submissions = 0
        var largestBatch = 0
    }

    private let store: JournalStore
    private let maxMapSize: Int
    private let clock: @Sendable () -> Date
    private let observer: (@Sendable (_ submissions: Int, _ duration: Duration) -> Void)?
    private let logger: Logger
    private let condition = NSCondition()
    private var pending: [Submission] = []
    private var stopping = false
    private var finished = false
    private var stats = Statistics()

    init(
        store: JournalStore, maxMapSize: Int, clock: @escaping @Sendable () -> Date,
        observer: (@Sendable (_ submissions: Int, _ duration: Duration) -> Void)?, logger: Logger
    ) {
        self.store = store
        self.maxMapSize = maxMapSize
        self.clock = clock
        self.observer = observer
        self.logger = logger
        let thread = Thread { [self] in
            nameCurrentThread("tern-journal")
            run()
        }
        thread.start()
    }

    var statistics: Statistics {
        condition.lock()
        defer { condition.unlock() }
        return stats
    }

    /// Applies `changes` atomically and calls `completion` once they are
    /// durable (or failed), on the writer thread: it must return quickly.
    func submit(_ changes: [JournalChange], completion: @escaping @Sendable (Result<Void, any Error>) -> Void) {
        condition.lock()
        guard !stopping else {
            condition.unlock()
            completion(.failure(JournalError(.closed, "the journal is shutting down")))
            return
        }
        pending.append(Submission(changes: changes, completion: completion))
        condition.signal()
        condition.unlock()
    }

    /// Commits what is pending, then stops the writer thread.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }

    private func run() {
        var batch: [Submission] = []
        while true {
            condition.lock()
            while pending.isEmpty && !stopping { condition.wait() }
            if pending.isEmpty {
                finished = true
                condition.broadcast()
                condition.unlock()
                return
            }
            swap(&batch, &pending)
            condition.unlock()

            let started = ContinuousClock.now
            let results = commit(batch)
            observer?(batch.count, ContinuousClock.now - started)
            condition.lock()
            stats.commits += 1
            stats.submissions += batch.count
            stats.largestBatch = max(stats.largestBatch, batch.count)
            condition.unlock()
            for (submission, result) in zip(batch, results) {
                submission.completion(result)
            }
            batch.removeAll(keepingCapacity: true)
        }
    }

    private enum Attempt {
        case done([Result<Void, any Error>])
        case mapFull
        /// A submission failed by itself in the shared transaction: commit
        /// again with each submission in a nested transaction of its own.
        case isolate
    }

    private func commit(_ batch: [Submission]) -> [Result<Void, any Error>] {
        var isolated = false
        while true {
            switch attempt(batch, isolated: isolated) {
            case .done(let results):
                return results
            case .isolate:
                isolated = true
            case .mapFull:
                let current = store.environment.mapSize
                guard current < maxMapSize else {
                    let error = JournalError(.storageFull, "the journal map reached its maximum size of \(maxMapSize) bytes")
                    return batch.map { _ in .failure(error) }
                }
                let next = min(maxMapSize, current * 2)
                do {
                    try store.environment.grow(to: next)
                    logger.notice("journal map grown", metadata: ["from": "\(current)", "to": "\(next)"])
                } catch {
                    let failure = JournalError.from(error)
                    return batch.map { _ in .failure(failure) }
                }
            }
        }
    }

    /// Applies the batch in one transaction. Not `isolated`, the submissions
    /// share it (a nested transaction costs LMDB megabytes of bookkeeping and
    /// a merge into its parent), and the first one that fails by itself asks
    /// for the isolated attempt; `isolated`, each runs in a nested
    /// transaction of its own and fails alone.
    private func attempt(_ batch: [Submission], isolated: Bool) -> Attempt {
        func failAll(_ error: LMDBError) -> Attempt {
            if error.isMapFull { return .mapFull }
            let failure = JournalError.from(error)
            return .done(batch.map { _ in .failure(failure) })
        }
        let now = clock()
        let parent: LMDBTransaction
        do {
            parent = try store.environment.beginWrite()
        } catch {
            return failAll(error)
        }
        var results: [Result<Void, any Error>] = []
        results.reserveCapacity(batch.count)
        for submission in batch {
            guard isolated else {
                do {
                    try store.apply(submission.changes, in: parent, now: now)
                } catch let error as LMDBError {
                    parent.abort()
                    return failAll(error)
                } catch {
                    parent.abort()
                    return .isolate
                }
                results.append(.success(()))
                continue
            }
            let child: LMDBTransaction
            do {
                child = try store.environment.beginWrite(parent: parent.handle)
            } catch {
                parent.abort()
                return failAll(error)
            }
            do {
                try store.apply(submission.changes, in: child, now: now)
            } catch let error as LMDBError {
                child.abort()
                parent.abort()
                return failAll(error)
            } catch {
                child.abort()
                results.append(.failure(error))
                continue
            }
            do {
                try child.commit()
            } catch {
                parent.abort()
                return failAll(error)
            }
            results.append(.success(()))
        }
        do {
            try parent.commit()
        } catch {
            if error.isMapFull { return .mapFull }
            let failure = error.isIOError && store.environment.isFileSystemFull()
                ? JournalError(.storageFull, "\(error) with the file system full")
                : JournalError.from(error)
            logger.error("journal commit failed", metadata: ["error": "\(error)", "batch": "\(batch.count)"])
            return .done(batch.map { _ in .failure(failure) })
        }
        return .done(results)
    }
}
