import Envelope
import Foundation
import Testing
@testable import Queue

@Suite("Journal export and import")
struct JournalArchiveTests {
    static func exportAll(_ journal: Journal, _ selection: JournalSelection = .all) throws -> [UInt8] {
        var bytes: [UInt8] = []
        let report = try journal.export(selection) { bytes.append(contentsOf: $0) }
        #expect(report.failed.isEmpty)
        return bytes
    }

    static func importAll(_ bytes: [UInt8], into journal: Journal, now: Date) async throws -> ImportReport {
        var report = ImportReport()
        for (metadata, body) in try QueueArchive.decode(bytes) {
            switch try await journal.importMessage(metadata, body: .bytes(body), now: now) {
            case .imported: report.imported.append(metadata.id)
            case .alreadyPresent: report.skipped.append(metadata.id)
            }
        }
        return report
    }

    @Test("a queue moved to another journal arrives whole, due at once, and a second import duplicates nothing")
    func moveQueue() async throws {
        var options = Journal.Options()
        options.bodyChunkSize = 64 * 1024
        let large = (0..<(2 * 1024 * 1024 + 5)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        var held = makeMessage(recipients: ["h@example.test", "d@example.test"])
        held.recipients[0].state = .held
        held.recipients[0].nextAttempt = held.envelope.expiry
        held.recipients[1].state = .delivered
        let messages = [makeMessage(body: large), makeMessage(recipients: ["a@x.test", "b@y.test"], body: Array(0...255)), held]
        let now = baseTime.addingTimeInterval(3600)
        try await withJournal(options: options) { source, _ in
            for message in messages { try await source.enqueue(message) }
            let archive = try Self.exportAll(source)
            try await withJournal(options: options) { target, _ in
                let first = try await Self.importAll(archive, into: target, now: now)
                #expect(first.imported.count == 3)
                let second = try await Self.importAll(archive, into: target, now: now)
                #expect(second.imported.isEmpty)
                #expect(second.skipped.count == 3)
                #expect(try target.counts().messages == 3)
                for message in messages {
                    let id = message.envelope.id
                    let stored = try #require(try target.message(id))
                    #expect(stored.envelope == message.envelope)
                    #expect(stored.recipients.map(\.address) == message.recipients.map(\.address))
                    #expect(stored.recipients.map(\.state) == message.recipients.map(\.state))
                    #expect(try target.body(of: id) == source.body(of: id))
                }
                let due = try target.dueRecipients(until: now)
                #expect(due.count == 3)
                #expect(due.allSatisfy { $0.due == now })
                #expect(try target.message(held.envelope.id)?.recipients[0].nextAttempt == held.envelope.expiry)
                #expect(try target.verify() == [])
            }
        }
    }

    @Test("an archive directory holds one file per message and imports like a stream, large bodies read in pieces")
    func directoryArchive() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let large = (0..<(3 * 1024 * 1024 + 11)).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        let messages = [makeMessage(body: large), makeMessage(recipients: ["z@other.test"])]
        try await withJournal { source, _ in
            for message in messages { try await source.enqueue(message) }
            let report = try source.export(.all, toDirectory: directory.path + "/out")
            #expect(report.exported == messages.map(\.envelope.id))
            let files = try FileManager.default.contentsOfDirectory(atPath: directory.path + "/out").sorted()
            #expect(files == messages.map { "\($0.envelope.id).tern" })
            try await withJournal { target, _ in
                let imported = try await target.importArchive(at: directory.path + "/out")
                #expect(imported.imported.count == 2)
                #expect(imported.isComplete)
                #expect(try target.body(of: messages[0].envelope.id) == large)
                let again = try await target.importArchive(at: directory.path + "/out")
                #expect(again.skipped.count == 2)
                #expect(try target.counts().messages == 2)
                #expect(try target.verify() == [])
            }
        }
    }

    @Test("export selects by id, recipient domain and sender")
    func selection() async throws {
        try await withJournal { journal, _ in
            let one = makeMessage(recipients: ["a@one.test"])
            let two = makeMessage(recipients: ["b@two.test", "c@ONE.test"])
            let three = makeMessage(recipients: ["d@three.test"])
            for message in [one, two, three] { try await journal.enqueue(message) }
            func exported(_ selection: JournalSelection) throws -> [String] {
                try QueueArchive.decode(Self.exportAll(journal, selection)).map(\.0.id)
            }
            #expect(try exported(JournalSelection(recipientDomain: "one.test")) == [one, two].map { $0.envelope.id.description })
            #expect(try exported(JournalSelection(ids: [three.envelope.id])) == [three.envelope.id.description])
            #expect(try exported(JournalSelection(sender: "nobody@example.org")).isEmpty)
            #expect(try exported(JournalSelection(sender: "Sender@example.org")).count == 3)
        }
    }

    @Test("a message that cannot be read whole is left out of the export and reported")
    func exportSkipsDamaged() async throws {
        try await withJournal { journal, _ in
            let damaged = makeMessage()
            let good = makeMessage()
            try await journal.enqueue(damaged)
            try await journal.enqueue(good)
            try JournalQuarantineTests.damage(journal) { store, txn in
                try txn.put(store.bodies, JournalKey.bodyChunk(damaged.envelope.id, 0), [1, 2, 3])
            }
            var bytes: [UInt8] = []
            let report = try journal.export(.all) { bytes.append(contentsOf: $0) }
            #expect(report.exported == [good.envelope.id])
            #expect(report.failed.map(\.id) == [damaged.envelope.id])
            #expect(try QueueArchive.decode(bytes).map(\.0.id) == [good.envelope.id.description])
        }
    }

    @Test("a truncated archive file imports the whole messages before the damage and reports it")
    func truncatedFile() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let messages = [makeMessage(), makeMessage()]
        try await withJournal { source, _ in
            for message in messages { try await source.enqueue(message) }
            let archive = try Self.exportAll(source)
            let path = directory.path + "/cut.tern"
            _ = FileManager.default.createFile(atPath: path, contents: Data(archive.dropLast(30)))
            try await withJournal { target, _ in
                let report = try await target.importArchive(at: path)
                #expect(report.imported == [messages[0].envelope.id.description])
                #expect(report.archiveError?.code == .truncated)
                #expect(report.archiveError?.messageIndex == 1)
                #expect(!report.isComplete)
            }
        }
    }
}
