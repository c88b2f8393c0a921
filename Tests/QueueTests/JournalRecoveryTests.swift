import CLMDB
import Envelope
import Foundation
import Testing
@testable import Queue

@Suite("Journal recovery and compaction")
struct JournalRecoveryTests {
    @Test("recover saves every intact message from a damaged journal into one that verify accepts, and reports the rest")
    func recoverDamaged() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let damagedPath = directory.path + "/damaged"
        let freshPath = directory.path + "/fresh"
        let overwritten = makeMessage()
        let truncated = makeMessage(recipients: ["a@example.test", "b@example.test"])
        let unindexed = makeMessage(recipients: ["c@example.test"])
        let bodyless = makeMessage()
        let intact = makeMessage(body: Array(0...255))
        var done = makeMessage(recipients: ["d@example.test"])
        done.recipients[0].state = .delivered
        let quarantined = makeMessage()
        let all = [overwritten, truncated, unindexed, bodyless, intact, done, quarantined]
        do {
            let journal = try Journal(path: damagedPath)
            for message in all { try await journal.enqueue(message) }
            try await journal.commit([.quarantine(quarantined.envelope.id, reason: "test")])
            try JournalQuarantineTests.damage(journal) { store, txn in
                var record = try #require(try txn.get(store.messages, JournalKey.message(overwritten.envelope.id)))
                record[1] = 7
                try txn.put(store.messages, JournalKey.message(overwritten.envelope.id), record)
                let key = JournalKey.recipient(truncated.envelope.id, 1)
                try txn.put(store.recipients, key, Array(try #require(try txn.get(store.recipients, key)).dropLast(4)))
                try txn.delete(store.schedule, JournalKey.schedule(baseTime, unindexed.envelope.id, 0))
                try txn.delete(store.bodies, JournalKey.bodyChunk(bodyless.envelope.id, 0))
            }
            let problems = try journal.verify().map(\.description)
            #expect(problems.contains { $0.contains("message record does not decode") })
            #expect(problems.contains { $0.contains("recipient 1 does not decode") })
            #expect(problems.contains { $0.contains("missing from the due index") })
            #expect(problems.contains { $0.contains("body chunks") })
            journal.close()
        }

        let report = try await Journal.recover(damaged: damagedPath, into: freshPath)
        #expect(Set(report.recovered) == Set([unindexed, intact, done, quarantined].map(\.envelope.id)))
        #expect(report.partial.map(\.id) == [truncated.envelope.id])
        #expect(report.partial.first?.lostRecipients == [1])
        #expect(Set(report.lost.compactMap(\.id)) == Set([overwritten, bodyless].map(\.envelope.id)))
        #expect(!report.isComplete)

        let fresh = try Journal(path: freshPath)
        defer { fresh.close() }
        #expect(try fresh.verify() == [])
        #expect(try fresh.counts().messages == 5)
        #expect(try fresh.body(of: intact.envelope.id) == Array(0...255))
        #expect(try fresh.message(intact.envelope.id)?.envelope == intact.envelope)
        #expect(try fresh.dueRecipients(until: .distantFuture).contains { $0.messageID == unindexed.envelope.id })
        #expect(try fresh.history().map(\.messageID) == [done.envelope.id])
        #expect(try fresh.message(truncated.envelope.id)?.recipients.map(\.address.localPart) == ["a"])
    }

    @Test("recover of a sound journal loses nothing; it refuses a held journal and a used target")
    func recoverSoundAndRefusals() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let source = directory.path + "/source"
        do {
            let journal = try Journal(path: source)
            defer { journal.close() }
            try await journal.enqueue(makeMessage())
            let held = await #expect(throws: JournalError.self) { try await Journal.recover(damaged: source, into: directory.path + "/x") }
            #expect(held?.code == .locked)
        }
        let report = try await Journal.recover(damaged: source, into: directory.path + "/copy")
        #expect(report.isComplete)
        #expect(report.recovered.count == 1)
        let again = await #expect(throws: JournalError.self) { try await Journal.recover(damaged: source, into: directory.path + "/copy") }
        #expect(again?.code == .invalidChange)
    }

    @Test("a journal written before quarantine existed recovers whole")
    func recoverOlderJournal() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let source = directory.path + "/source"
        do {
            let journal = try Journal(path: source)
            defer { journal.close() }
            try await journal.enqueue(makeMessage())
            try JournalQuarantineTests.damage(journal) { store, txn in
                let quarantine = try #require(store.quarantine)
                #expect(mdb_drop(txn.handle, quarantine.handle, 1) == 0)
            }
        }
        let report = try await Journal.recover(damaged: source, into: directory.path + "/copy")
        #expect(report.isComplete, "\(report.lost)")
        #expect(report.recovered.count == 1)
    }

    @Test("compact shrinks a journal with free pages, keeps its content and refuses while held")
    func compact() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/queue"
        let kept = makeMessage(body: Array(0...255))
        do {
            let journal = try Journal(path: path)
            try await journal.enqueue(kept)
            var removed: [MessageID] = []
            for _ in 0..<64 {
                let message = makeMessage(body: [UInt8](repeating: 0x61, count: 64 * 1024))
                try await journal.enqueue(message)
                removed.append(message.envelope.id)
            }
            try await journal.commit(removed.map { .remove($0) })
            #expect(throws: JournalError.self) { try Journal.compact(path: path) }
            journal.close()
        }
        let sizes = try Journal.compact(path: path)
        #expect(sizes.after < sizes.before)
        let journal = try Journal(path: path)
        defer { journal.close() }
        #expect(try journal.messageIDs() == [kept.envelope.id])
        #expect(try journal.body(of: kept.envelope.id) == Array(0...255))
        #expect(try journal.verify() == [])
        try await journal.enqueue(makeMessage())
        #expect(try journal.counts().messages == 2)
    }
}
