import Envelope
import Foundation
import Testing
@testable import Queue

@Suite("Journal replay")
struct JournalReplayTests {
    static func complete(_ journal: Journal, _ message: NewMessage, states: [RecipientState]) async throws {
        var changes: [JournalChange] = []
        for (index, state) in states.enumerated() {
            var recipient = message.recipients[index]
            recipient.state = state
            recipient.attempts = 3
            recipient.delayWarned = true
            recipient.lastReply = "250 ok"
            changes.append(.updateRecipient(message.envelope.id, index: UInt32(index), recipient))
        }
        try await journal.commit(changes)
    }

    @Test("a replayed message leaves history and is due again with attempts reset and its lifetime renewed")
    func replayByID() async throws {
        let clock = TimeBox()
        var options = Journal.Options()
        options.clock = { [clock] in clock.now }
        try await withJournal(options: options) { journal, _ in
            let message = makeMessage(recipients: ["a@example.test", "b@example.test"])
            let other = makeMessage()
            try await journal.enqueue(message)
            try await journal.enqueue(other)
            try await Self.complete(journal, message, states: [.delivered, .failed])
            try await Self.complete(journal, other, states: [.delivered])
            #expect(try journal.history().count == 2)
            let now = baseTime.addingTimeInterval(10 * 86_400)
            let replayed = try await journal.replay(JournalSelection(ids: [message.envelope.id]), now: now)
            #expect(replayed == [message.envelope.id])
            let stored = try #require(try journal.message(message.envelope.id))
            #expect(stored.completed == nil)
            #expect(stored.recipients.map(\.state) == [.scheduled, .scheduled])
            #expect(stored.recipients.allSatisfy { $0.attempts == 0 && !$0.delayWarned && $0.nextAttempt == now })
            #expect(stored.recipients[0].lastReply == "250 ok")
            #expect(stored.envelope.expiry == now.addingTimeInterval(4 * 86_400))
            #expect(try journal.history().map(\.messageID) == [other.envelope.id])
            #expect(try journal.dueRecipients(until: now).count == 2)
            #expect(try journal.verify() == [])
        }
    }

    @Test("replay by domain requeues only that domain's recipients; by time only messages completed in range")
    func replayByDomainAndTime() async throws {
        let clock = TimeBox()
        var options = Journal.Options()
        options.clock = { [clock] in clock.now }
        try await withJournal(options: options) { journal, _ in
            let early = makeMessage(recipients: ["a@lost.test", "b@fine.test"])
            let late = makeMessage(recipients: ["c@lost.test"])
            let pending = makeMessage(recipients: ["d@lost.test"])
            for message in [early, late, pending] { try await journal.enqueue(message) }
            clock.now = baseTime.addingTimeInterval(60)
            try await Self.complete(journal, early, states: [.delivered, .delivered])
            clock.now = baseTime.addingTimeInterval(7200)
            try await Self.complete(journal, late, states: [.delivered])

            let now = baseTime.addingTimeInterval(9000)
            let byTime = try journal.replayChanges(JournalSelection(completedSince: baseTime.addingTimeInterval(3600)), now: now)
            #expect(byTime.messages == [late.envelope.id])

            let replayed = try await journal.replay(JournalSelection(recipientDomain: "LOST.test"), now: now)
            #expect(replayed == [early.envelope.id, late.envelope.id])
            let stored = try #require(try journal.message(early.envelope.id))
            #expect(stored.recipients.map(\.state) == [.scheduled, .delivered])
            #expect(try journal.message(pending.envelope.id)?.recipients[0].attempts == 0)
            #expect(try journal.verify() == [])
        }
    }

    @Test("requeue with a later expiry moves held recipients' due entries along")
    func requeueMovesHeld() async throws {
        try await withJournal { journal, _ in
            var message = makeMessage(recipients: ["a@example.test", "b@example.test"])
            message.recipients[0].state = .delivered
            message.recipients[1].state = .held
            message.recipients[1].nextAttempt = message.envelope.expiry
            try await journal.enqueue(message)
            let id = message.envelope.id
            let later = message.envelope.expiry.addingTimeInterval(86_400)
            try await journal.commit([.requeue(id, indices: [0, 1], due: baseTime, expiry: later)])
            let stored = try #require(try journal.message(id))
            #expect(stored.envelope.expiry == later)
            #expect(stored.recipients.map(\.state) == [.scheduled, .held])
            #expect(stored.recipients[1].nextAttempt == later)
            #expect(try journal.verify() == [])
        }
    }

    @Test("JournalSelection matches every criterion that is set")
    func selectionMatching() {
        let message = makeMessage(recipients: ["a@one.test"])
        let queued = QueuedMessage(envelope: message.envelope, recipients: message.recipients, completed: baseTime)
        #expect(JournalSelection.all.matches(queued))
        #expect(JournalSelection(recipientDomain: "ONE.TEST", completedSince: baseTime).matches(queued))
        #expect(!JournalSelection(recipientDomain: "one.test", completedUntil: baseTime).matches(queued))
        #expect(!JournalSelection(ids: [ids.next()]).matches(queued))
        #expect(!JournalSelection(sender: "").matches(queued))
    }
}
