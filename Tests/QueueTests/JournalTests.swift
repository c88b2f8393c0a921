import CLMDB
import Envelope
import Foundation
import Synchronization
import Testing
@testable import Queue

@Suite("Journal")
struct JournalTests {
    @Test("an enqueued message reads back whole")
    func enqueueAndRead() async throws {
        try await withJournal { journal, _ in
            let message = makeMessage(recipients: ["a@example.test", "b@example.test"])
            try await journal.enqueue(message)
            let stored = try #require(try journal.message(message.envelope.id))
            #expect(stored.envelope == message.envelope)
            #expect(stored.recipients.map(\.address) == message.recipients.map(\.address))
            #expect(stored.recipients.map(\.notify) == [[.failure, .delay], [.failure, .delay]])
            #expect(stored.completed == nil)
            #expect(try journal.body(of: message.envelope.id) == Array("Subject: test\r\n\r\nhello\r\n".utf8))
            #expect(try journal.message(ids.next()) == nil)
            #expect(try journal.verify() == [])
        }
    }

    @Test("large bodies stream from a file in chunks")
    func largeBodyFromFile() async throws {
        var options = Journal.Options()
        options.bodyChunkSize = 64 * 1024
        try await withJournal(options: options) { journal, path in
            let bytes = (0..<(3 * 1024 * 1024 + 17)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let spill = path + "/spill"
            _ = FileManager.default.createFile(atPath: spill, contents: Data(bytes))
            var message = makeMessage(body: [])
            message.envelope.size = bytes.count
            message.body = .file(path: spill, size: bytes.count)
            try await journal.enqueue(message)
            var chunks = 0
            var read: [UInt8] = []
            try journal.readBody(of: message.envelope.id) { chunk in
                chunks += 1
                read.append(contentsOf: chunk)
            }
            #expect(read == bytes)
            #expect(chunks == 49)
            #expect(try journal.verify() == [])
        }
    }

    @Test("a body file shorter than declared fails that change alone")
    func shortBodyFile() async throws {
        try await withJournal { journal, path in
            let spill = path + "/short"
            _ = FileManager.default.createFile(atPath: spill, contents: Data([1, 2, 3]))
            var broken = makeMessage(body: [])
            broken.envelope.size = 10
            broken.body = .file(path: spill, size: 10)
            let good = makeMessage()
            async let goodResult: Void = journal.enqueue(good)
            await #expect(throws: JournalError.self) { try await journal.enqueue(broken) }
            try await goodResult
            #expect(try journal.message(broken.envelope.id) == nil)
            #expect(try journal.message(good.envelope.id) != nil)
            #expect(try journal.verify() == [])
        }
    }

    @Test("a duplicate message id is refused")
    func duplicateID() async throws {
        try await withJournal { journal, _ in
            let message = makeMessage()
            try await journal.enqueue(message)
            await #expect(throws: JournalError.self) { try await journal.enqueue(message) }
            #expect(try journal.counts().messages == 1)
        }
    }

    @Test("a refused change in a batch with others fails alone")
    func refusedChangeInBatch() async throws {
        try await withJournal { journal, _ in
            let stored = makeMessage()
            try await journal.enqueue(stored)
            var expected: [Bool] = []
            var changes: [[JournalChange]] = []
            for index in 0..<30 {
                let duplicate = index % 3 == 1
                expected.append(!duplicate)
                changes.append([.enqueue(duplicate ? stored : makeMessage())])
            }
            // Submitted back to back from one thread, so that the writer folds them into shared batches.
            let outcomes = await withCheckedContinuation { (continuation: CheckedContinuation<[Bool], Never>) in
                let collector = OutcomeCollector(count: changes.count, continuation: continuation)
                for (index, change) in changes.enumerated() {
                    journal.commit(change) { collector.record(index, succeeded: (try? $0.get()) != nil) }
                }
            }
            #expect(outcomes == expected)
            #expect(journal.commitStatistics.largestBatch > 1)
            #expect(try journal.counts().messages == 21)
            #expect(try journal.verify() == [])
        }
    }

    @Test("an envelope size that differs from the body is refused")
    func sizeMismatch() async throws {
        try await withJournal { journal, _ in
            var message = makeMessage()
            message.envelope.size += 1
            await #expect(throws: JournalError.self) { try await journal.enqueue(message) }
        }
    }

    @Test("due recipients come in time order and stop at the cutoff")
    func dueOrder() async throws {
        try await withJournal { journal, _ in
            let late = makeMessage(due: baseTime.addingTimeInterval(300))
            let early = makeMessage(recipients: ["x@a.test", "y@a.test"], due: baseTime.addingTimeInterval(-60))
            let now = makeMessage(due: baseTime)
            for message in [late, early, now] { try await journal.enqueue(message) }
            let due = try journal.dueRecipients(until: baseTime)
            #expect(due.map(\.messageID) == [early.envelope.id, early.envelope.id, now.envelope.id])
            #expect(due.map(\.index) == [0, 1, 0])
            #expect(try journal.dueRecipients(until: baseTime, limit: 1).count == 1)
            #expect(try journal.dueRecipients(until: baseTime.addingTimeInterval(300)).count == 4)
            let rest = try journal.dueRecipients(after: due[1], until: baseTime.addingTimeInterval(300))
            #expect(rest.map(\.messageID) == [now.envelope.id, late.envelope.id], "reads on after the given entry")
            #expect(try journal.dueRecipients(after: due[2], until: baseTime) == [])
        }
    }

    @Test("outcomes move recipients through the due index into history")
    func outcomes() async throws {
        let clock = baseTime.addingTimeInterval(10)
        var options = Journal.Options()
        options.clock = { clock }
        try await withJournal(options: options) { journal, _ in
            let message = makeMessage(recipients: ["a@x.test", "b@x.test"])
            let id = message.envelope.id
            try await journal.enqueue(message)

            var deferred = message.recipients[0]
            deferred.attempts = 1
            deferred.nextAttempt = baseTime.addingTimeInterval(600)
            deferred.lastReply = "451 4.3.0 try later"
            deferred.lastStatus = EnhancedStatus(4, 3, 0)
            var delivered = message.recipients[1]
            delivered.state = .delivered
            delivered.attempts = 1
            try await journal.commit([.updateRecipient(id, index: 0, deferred), .updateRecipient(id, index: 1, delivered)])
            #expect(try journal.dueRecipients(until: baseTime.addingTimeInterval(599)) == [])
            #expect(try journal.dueRecipients(until: baseTime.addingTimeInterval(600)).map(\.index) == [0])
            #expect(try journal.message(id)?.completed == nil)
            #expect(try journal.history() == [])

            var failed = deferred
            failed.state = .failed
            failed.attempts = 2
            try await journal.commit([.updateRecipient(id, index: 0, failed)])
            #expect(try journal.dueRecipients(until: .distantFuture) == [])
            #expect(try journal.message(id)?.completed == clock)
            #expect(try journal.history() == [CompletedMessage(completed: clock, messageID: id)])
            #expect(try journal.verify() == [])

            var replayed = failed
            replayed.state = .scheduled
            try await journal.commit([.updateRecipient(id, index: 0, replayed)])
            #expect(try journal.history() == [])
            #expect(try journal.message(id)?.completed == nil)
            #expect(try journal.verify() == [])
        }
    }

    @Test("held recipients stay in the due index at their expiry only")
    func hold() async throws {
        try await withJournal { journal, _ in
            let message = makeMessage()
            try await journal.enqueue(message)
            var held = message.recipients[0]
            held.state = .held
            held.nextAttempt = message.envelope.expiry
            try await journal.commit([.updateRecipient(message.envelope.id, index: 0, held)])
            #expect(try journal.dueRecipients(until: message.envelope.expiry.addingTimeInterval(-1)) == [])
            #expect(try journal.dueRecipients(until: .distantFuture).map(\.index) == [0])
            #expect(try journal.verify() == [])
            held.state = .failed
            try await journal.commit([.updateRecipient(message.envelope.id, index: 0, held)])
            #expect(try journal.dueRecipients(until: .distantFuture) == [])
            #expect(try journal.verify() == [])
        }
    }

    @Test("an update for a removed message is a no-op")
    func updateAfterRemove() async throws {
        try await withJournal { journal, _ in
            let message = makeMessage()
            let id = message.envelope.id
            try await journal.enqueue(message)
            try await journal.commit([.remove(id)])
            var delivered = message.recipients[0]
            delivered.state = .delivered
            try await journal.commit([.updateRecipient(id, index: 0, delivered)])
            #expect(try journal.message(id) == nil)
            #expect(try journal.counts() == JournalCounts(messages: 0, recipients: 0, scheduled: 0, completed: 0))
        }
    }

    @Test("a failure and its bounce commit together")
    func atomicBounce() async throws {
        try await withJournal { journal, _ in
            let message = makeMessage()
            try await journal.enqueue(message)
            var failed = message.recipients[0]
            failed.state = .failed
            var bounce = makeMessage(recipients: ["sender@example.org"])
            bounce.envelope.sender = .null
            bounce.envelope.flags = [.isDSN]
            try await journal.commit([.updateRecipient(message.envelope.id, index: 0, failed), .enqueue(bounce)])
            #expect(try journal.message(bounce.envelope.id)?.envelope.flags == [.isDSN])
            #expect(try journal.history().map(\.messageID) == [message.envelope.id])

            // A change list with one bad part stores none of it.
            var again = message.recipients[0]
            again.state = .scheduled
            await #expect(throws: JournalError.self) {
                try await journal.commit([.updateRecipient(message.envelope.id, index: 0, again), .enqueue(bounce)])
            }
            #expect(try journal.history().map(\.messageID) == [message.envelope.id])
        }
    }

    @Test("purging history removes only what completed before the cutoff")
    func purge() async throws {
        let times = TimeBox()
        var options = Journal.Options()
        options.clock = { times.now }
        try await withJournal(options: options) { journal, _ in
            var completed: [MessageID] = []
            for offset in 0..<3 {
                times.now = baseTime.addingTimeInterval(Double(offset) * 3600)
                let message = makeMessage()
                try await journal.enqueue(message)
                var delivered = message.recipients[0]
                delivered.state = .delivered
                try await journal.commit([.updateRecipient(message.envelope.id, index: 0, delivered)])
                completed.append(message.envelope.id)
            }
            let pending = makeMessage()
            try await journal.enqueue(pending)
            try await journal.commit([.purgeHistory(before: baseTime.addingTimeInterval(3600))])
            #expect(try journal.history().map(\.messageID) == Array(completed.dropFirst()))
            #expect(try journal.message(completed[0]) == nil)
            #expect(try journal.body(of: completed[0]) == nil)
            #expect(try journal.message(pending.envelope.id) != nil)
            #expect(try journal.counts().messages == 3)
            #expect(try journal.verify() == [])
        }
    }

    @Test("message ids list in order with paging")
    func listing() async throws {
        try await withJournal { journal, _ in
            let messages = (0..<5).map { _ in makeMessage() }
            for message in messages.reversed() { try await journal.enqueue(message) }
            let all = messages.map(\.envelope.id)
            #expect(try journal.messageIDs() == all)
            #expect(try journal.messageIDs(limit: 2) == Array(all.prefix(2)))
            #expect(try journal.messageIDs(after: all[1], limit: 2) == Array(all[2..<4]))
        }
    }

    @Test("a second opener is refused while the journal is held")
    func exclusiveLock() async throws {
        try await withJournal { _, path in
            #expect(throws: JournalError.self) { _ = try Journal(path: path) }
        }
    }

    @Test("the map grows when it fills instead of failing")
    func mapGrowth() async throws {
        var options = Journal.Options()
        options.mapSize = 1 << 20
        try await withJournal(options: options) { journal, _ in
            let body = [UInt8](repeating: 0x41, count: 100_000)
            for _ in 0..<40 { try await journal.enqueue(makeMessage(body: body)) }
            #expect(try journal.counts().messages == 40)
            #expect(journal.store.environment.mapSize > 1 << 20)
            #expect(try journal.verify() == [])
        }
    }

    @Test("a map that may not grow further reports storage full")
    func storageFull() async throws {
        var options = Journal.Options()
        options.mapSize = 1 << 20
        options.maxMapSize = 1 << 20
        try await withJournal(options: options) { journal, _ in
            let body = [UInt8](repeating: 0x41, count: 300_000)
            var failure: JournalError?
            for _ in 0..<10 {
                do { try await journal.enqueue(makeMessage(body: body)) } catch let error as JournalError {
                    failure = error
                    break
                }
            }
            #expect(failure?.code == .storageFull)
            #expect(try journal.verify() == [])
            try await journal.enqueue(makeMessage())
        }
    }

    @Test("many concurrent producers: every acknowledged message is stored once")
    func concurrentProducers() async throws {
        try await withJournal { journal, _ in
            let stored = try await withThrowingTaskGroup(of: [MessageID].self) { group in
                for _ in 0..<64 {
                    group.addTask {
                        var mine: [MessageID] = []
                        for _ in 0..<25 {
                            let message = makeMessage()
                            try await journal.enqueue(message)
                            mine.append(message.envelope.id)
                        }
                        return mine
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(stored.count == 1600)
            #expect(Set(stored).count == 1600)
            #expect(try Set(journal.messageIDs()) == Set(stored))
            #expect(try journal.counts().scheduled == 1600)
            #expect(journal.commitStatistics.commits < 1600)
            #expect(try journal.verify() == [])
        }
    }

    @Test("verify reports damaged records and indexes")
    func verifyFindsDamage() async throws {
        try await withJournal { journal, _ in
            let first = makeMessage()
            let second = makeMessage(recipients: ["a@b.test", "c@d.test"])
            try await journal.enqueue(first)
            try await journal.enqueue(second)
            let store = journal.store
            let txn = try store.environment.beginWrite()
            try txn.put(store.recipients, JournalKey.recipient(first.envelope.id, 0), [1, 2])
            try txn.delete(store.schedule, JournalKey.schedule(baseTime, second.envelope.id, 1))
            try txn.put(store.bodies, JournalKey.bodyChunk(ids.next(), 0), [1])
            try txn.commit()
            let problems = try journal.verify().map(\.description)
            #expect(problems.count == 4)
            #expect(problems.contains { $0.contains("recipient 0 does not decode") })
            #expect(problems.contains { $0.contains("missing from the due index") })
            #expect(problems.contains { $0.contains("body without its message") })
            #expect(problems.contains { $0.contains("schedule entry for recipient 0") })
        }
    }
}

/// A mutable time for injected clocks.
final class TimeBox: @unchecked Sendable {
    // @unchecked: tests set it only between awaited commits.
    var now = baseTime
}

/// Gathers the outcomes of commits submitted with completion handlers; resumes once all are in.
private final class OutcomeCollector: Sendable {
    private let state: Mutex<(outcomes: [Bool], left: Int)>
    private let continuation: CheckedContinuation<[Bool], Never>

    init(count: Int, continuation: CheckedContinuation<[Bool], Never>) {
        state = Mutex((Array(repeating: false, count: count), count))
        self.continuation = continuation
    }

    func record(_ index: Int, succeeded: Bool) {
        let finished: [Bool]? = state.withLock {
            $0.outcomes[index] = succeeded
            $0.left -= 1
            return $0.left == 0 ? $0.outcomes : nil
        }
        if let finished { continuation.resume(returning: finished) }
    }
}
