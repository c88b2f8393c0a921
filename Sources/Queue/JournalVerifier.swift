import Envelope
import Foundation

/// One inconsistency found by `Journal.verify()`.
public struct JournalProblem: Hashable, Sendable, CustomStringConvertible {
    /// The message concerned, when the damaged key names one.
    public let messageID: MessageID?
    /// What is wrong.
    public let detail: String

    public var description: String {
        (messageID.map { "id=\($0) " } ?? "") + detail
    }
}

extension Journal {
    /// Checks every record and index: each record decodes, each recipient and
    /// body chunk belongs to a message, counts and sizes agree, the due index
    /// lists exactly the scheduled and held recipients at their times, history lists
    /// exactly the completed messages, and quarantine entries decode (a
    /// quarantined message's body is kept on purpose and is not a problem).
    /// An empty result means a sound journal.
    public func verify() throws -> [JournalProblem] {
        try store.environment.read { txn in
            var problems: [JournalProblem] = []
            func problem(_ id: MessageID?, _ detail: String) { problems.append(JournalProblem(messageID: id, detail: detail)) }

            var records: [MessageID: MessageRecord] = [:]
            try txn.scan(store.messages) { key, value in
                guard let id = MessageID(bytes: key) else {
                    problem(nil, "message key of \(key.count) bytes")
                    return true
                }
                do {
                    records[id] = try MessageRecord.decode(id: id, value)
                } catch {
                    problem(id, "message record does not decode: \(error)")
                }
                return true
            }

            var recipientCounts: [MessageID: UInt32] = [:]
            var scheduledAt: [[UInt8]: Date] = [:]
            var allFinal: [MessageID: Bool] = [:]
            try txn.scan(store.recipients) { key, value in
                guard let (id, index) = JournalKey.parseIndexed(key) else {
                    problem(nil, "recipient key of \(key.count) bytes")
                    return true
                }
                do {
                    let recipient = try RecipientRecord.decode(value)
                    if recipient.state.isInDueIndex { scheduledAt[Array(key)] = recipient.nextAttempt }
                    allFinal[id] = (allFinal[id] ?? true) && recipient.state.isFinal
                } catch {
                    problem(id, "recipient \(index) does not decode: \(error)")
                    allFinal[id] = false
                }
                if records[id] == nil && recipientCounts[id] == nil { problem(id, "recipient \(index) without its message") }
                recipientCounts[id, default: 0] += 1
                return true
            }

            var quarantined = Set<MessageID>()
            if let quarantine = store.quarantine {
                try txn.scan(quarantine) { key, value in
                    guard let id = MessageID(bytes: key) else {
                        problem(nil, "quarantine key of \(key.count) bytes")
                        return true
                    }
                    quarantined.insert(id)
                    if records[id] != nil { problem(id, "both in the queue and in quarantine") }
                    do {
                        _ = try QuarantineRecord.decode(value)
                    } catch {
                        problem(id, "quarantine entry does not decode: \(error)")
                    }
                    return true
                }
            }

            var bodySizes: [MessageID: Int] = [:]
            var chunkCounts: [MessageID: UInt32] = [:]
            try txn.scan(store.bodies) { key, value in
                guard let (id, chunk) = JournalKey.parseIndexed(key) else {
                    problem(nil, "body key of \(key.count) bytes")
                    return true
                }
                if records[id] == nil && chunkCounts[id] == nil && !quarantined.contains(id) { problem(id, "body without its message") }
                if chunk != chunkCounts[id, default: 0] { problem(id, "body chunk \(chunk) out of sequence") }
                chunkCounts[id, default: 0] += 1
                bodySizes[id, default: 0] += value.count
                return true
            }

            for (id, record) in records.sorted(by: { $0.key < $1.key }) {
                if recipientCounts[id, default: 0] != record.recipientCount {
                    problem(id, "has \(recipientCounts[id, default: 0]) recipients, record says \(record.recipientCount)")
                }
                if chunkCounts[id, default: 0] != record.bodyChunkCount {
                    problem(id, "has \(chunkCounts[id, default: 0]) body chunks, record says \(record.bodyChunkCount)")
                } else if bodySizes[id, default: 0] != record.envelope.size {
                    problem(id, "body has \(bodySizes[id, default: 0]) bytes, record says \(record.envelope.size)")
                }
                let final = allFinal[id] ?? true
                if final && record.completed == nil { problem(id, "all recipients final but not completed") }
                if !final && record.completed != nil { problem(id, "completed with recipients still pending") }
            }

            var listed = Set<[UInt8]>()
            try txn.scan(store.schedule) { key, _ in
                guard let entry = JournalKey.parseSchedule(key) else {
                    problem(nil, "schedule key of \(key.count) bytes")
                    return true
                }
                let recipientKey = JournalKey.recipient(entry.id, entry.index)
                if let due = scheduledAt[recipientKey], due.journalMilliseconds == entry.due.journalMilliseconds {
                    listed.insert(recipientKey)
                } else {
                    problem(entry.id, "schedule entry for recipient \(entry.index) that is not scheduled at that time")
                }
                return true
            }
            for key in scheduledAt.keys where !listed.contains(key) {
                let entry = JournalKey.withBuffer(key, JournalKey.parseIndexed)
                problem(entry?.id, "scheduled recipient \(entry?.index ?? 0) missing from the due index")
            }

            var inHistory = Set<MessageID>()
            try txn.scan(store.history) { key, _ in
                guard let entry = JournalKey.parseHistory(key) else {
                    problem(nil, "history key of \(key.count) bytes")
                    return true
                }
                inHistory.insert(entry.id)
                guard let completed = records[entry.id]?.completed else {
                    problem(entry.id, "history entry for a message that is not completed")
                    return true
                }
                if completed.journalMilliseconds != entry.completed.journalMilliseconds {
                    problem(entry.id, "history time differs from the message's completion time")
                }
                return true
            }
            for (id, record) in records where record.completed != nil && !inHistory.contains(id) {
                problem(id, "completed but missing from history")
            }
            return problems
        }
    }
}
