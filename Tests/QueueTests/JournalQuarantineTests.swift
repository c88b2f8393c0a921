import CLMDB
import Envelope
import Foundation
import Testing
@testable import Queue

@Suite("Journal quarantine")
struct JournalQuarantineTests {
    /// Writes `bytes` under `key` behind the journal's back, as disk damage would.
    static func damage(_ journal: Journal, _ change: (JournalStore, borrowing LMDBTransaction) throws -> Void) throws {
        let txn = try journal.store.environment.beginWrite()
        try change(journal.store, txn)
        try txn.commit()
    }

    @Test("a message whose record does not decode moves to quarantine and the rest keeps flowing")
    func quarantineBadMessageRecord() async throws {
        try await withJournal { journal, _ in
            let bad = makeMessage(recipients: ["a@example.test", "b@example.test"])
            let good = makeMessage()
            try await journal.enqueue(bad)
            try await journal.enqueue(good)
            try Self.damage(journal) { store, txn in try txn.put(store.messages, JournalKey.message(bad.envelope.id), [1, 0xFF, 3]) }
            let error = #expect(throws: JournalError.self) { try journal.message(bad.envelope.id) }
            #expect(error?.code == .corruptRecord)

            try await journal.commit([.quarantine(bad.envelope.id, reason: error?.detail ?? "")])
            #expect(try journal.message(bad.envelope.id) == nil)
            #expect(try journal.dueRecipients(until: .distantFuture).map(\.messageID) == [good.envelope.id])
            let entries = try journal.quarantined()
            #expect(entries.map(\.messageID) == [bad.envelope.id])
            #expect(entries[0].reason.contains("message record"))
            #expect(entries[0].envelope == nil)
            #expect(entries[0].recipients.count == 2)
            #expect(!entries[0].isReadable)
            #expect(try journal.verify() == [])
            await #expect(throws: JournalError.self) { try await journal.restoreQuarantined(bad.envelope.id) }
            #expect(try journal.quarantinedMessage(bad.envelope.id) != nil)
        }
    }

    @Test("an undecodable recipient's due entry is found and removed; salvage restores the others")
    func quarantineBadRecipient() async throws {
        try await withJournal { journal, _ in
            let message = makeMessage(recipients: ["a@example.test", "b@example.test", "c@example.test"])
            try await journal.enqueue(message)
            let id = message.envelope.id
            try Self.damage(journal) { store, txn in
                let key = JournalKey.recipient(id, 1)
                let bytes = try #require(try txn.get(store.recipients, key))
                try txn.put(store.recipients, key, Array(bytes.prefix(5)))
            }
            #expect(throws: JournalError.self) { try journal.message(id) }
            try await journal.commit([.quarantine(id, reason: "test")])
            #expect(try journal.counts().scheduled == 0)
            #expect(try journal.counts().recipients == 0)
            #expect(try journal.quarantinedMessage(id)?.unreadableRecipients == [1])
            #expect(try journal.verify() == [])

            await #expect(throws: JournalError.self) { try await journal.restoreQuarantined(id) }
            let left = try await journal.restoreQuarantined(id, salvage: true)
            #expect(left == [1])
            let restored = try #require(try journal.message(id))
            #expect(restored.recipients.map(\.address.localPart) == ["a", "c"])
            #expect(try journal.body(of: id) == journal.body(of: id))
            #expect(try journal.quarantined().isEmpty)
            #expect(try journal.counts().scheduled == 2)
            #expect(try journal.verify() == [])
        }
    }

    @Test("recipients whose message record is gone count as corrupt and are quarantined with their due entries")
    func orphanRecipients() async throws {
        try await withJournal { journal, _ in
            let message = makeMessage(recipients: ["a@example.test", "b@example.test"])
            try await journal.enqueue(message)
            let id = message.envelope.id
            try Self.damage(journal) { store, txn in try txn.delete(store.messages, JournalKey.message(id)) }
            let error = #expect(throws: JournalError.self) { try journal.message(id) }
            #expect(error?.code == .corruptRecord)
            try await journal.commit([.quarantine(id, reason: error?.detail ?? "")])
            #expect(try journal.message(id) == nil)
            #expect(try journal.counts().scheduled == 0)
            #expect(try journal.quarantinedMessage(id)?.recipients.count == 2)
            #expect(try journal.verify() == [])
            try await journal.commit([.remove(id)])
            #expect(try journal.quarantined().isEmpty)
            #expect(try journal.verify() == [])
        }
    }

    @Test("a quarantined message that reads again is restored exactly, due as before")
    func restoreReadable() async throws {
        try await withJournal { journal, _ in
            let message = makeMessage(recipients: ["a@example.test", "b@example.test"], body: Array(0...255))
            try await journal.enqueue(message)
            let id = message.envelope.id
            let before = try journal.message(id)
            try await journal.commit([.quarantine(id, reason: "unsupported record version 2 at byte 0")])
            #expect(try journal.quarantinedMessage(id)?.isReadable == true)
            try await journal.restoreQuarantined(id)
            #expect(try journal.message(id) == before)
            #expect(try journal.body(of: id) == Array(0...255))
            #expect(try journal.dueRecipients(until: .distantFuture).count == 2)
            #expect(try journal.verify() == [])
        }
    }

    @Test("removing a quarantined message deletes it and its body")
    func removeQuarantined() async throws {
        try await withJournal { journal, _ in
            let message = makeMessage()
            try await journal.enqueue(message)
            try await journal.commit([.quarantine(message.envelope.id, reason: "test")])
            try await journal.commit([.remove(message.envelope.id)])
            #expect(try journal.quarantined().isEmpty)
            #expect(try journal.body(of: message.envelope.id) == nil)
            let leftovers = try journal.store.environment.read { txn in try txn.count(journal.store.bodies) }
            #expect(leftovers == 0)
            #expect(try journal.verify() == [])
        }
    }

    @Test("a journal written before quarantine existed opens read-only, and gains it when opened to write")
    func olderJournal() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        do {
            let journal = try Journal(path: directory.path)
            try await journal.enqueue(makeMessage())
            try Self.damage(journal) { store, txn in
                let quarantine = try #require(store.quarantine)
                #expect(mdb_drop(txn.handle, quarantine.handle, 1) == 0)
            }
            journal.close()
        }
        var readOnly = Journal.Options()
        readOnly.readOnly = true
        do {
            let journal = try Journal(path: directory.path, options: readOnly)
            #expect(journal.store.quarantine == nil)
            #expect(try journal.quarantined().isEmpty)
            #expect(try journal.verify() == [])
        }
        let journal = try Journal(path: directory.path)
        defer { journal.close() }
        #expect(journal.store.quarantine != nil)
        let id = try #require(try journal.messageIDs().first)
        try await journal.commit([.quarantine(id, reason: "test")])
        #expect(try journal.quarantined().count == 1)
    }
}
