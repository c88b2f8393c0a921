import Envelope
import Foundation

extension Journal {
    /// The changes that put completed messages still in `history` back in
    /// the queue (e.g. after a downstream server lost mail): the messages
    /// completed in the selection's time range, of its ids and with a
    /// recipient in its domain; of each, the final recipients (delivered and
    /// failed) in that domain, or all of them without a domain.
    ///
    /// Each requeued recipient is scheduled due at `now` with its attempt
    /// count and delay warning reset, so back-off and warnings start afresh;
    /// its last reply is kept for reference. The message's expiry moves to
    /// `now` plus its original lifetime (expiry minus arrival) when that is
    /// later, so a replayed message is not expired at once. Messages that do
    /// not read are left out.
    /// - Returns: one `.requeue` change per message, and the message ids.
    public func replayChanges(_ selection: JournalSelection, now: Date = Date()) throws -> (changes: [JournalChange], messages: [MessageID]) {
        var changes: [JournalChange] = []
        var replayed: [MessageID] = []
        let completed = try history(from: selection.completedSince ?? .distantPast, until: selection.completedUntil ?? .distantFuture)
        for entry in completed where selection.ids.isEmpty || selection.ids.contains(entry.messageID) {
            guard let message = try? message(entry.messageID), message.completed != nil, selection.matches(message) else { continue }
            let indices = message.recipients.indices
                .filter { message.recipients[$0].state.isFinal && selection.matches(message.recipients[$0]) }
                .map { UInt32($0) }
            guard !indices.isEmpty else { continue }
            let lifetime = max(0, message.envelope.expiry.timeIntervalSince(message.envelope.arrival))
            changes.append(.requeue(entry.messageID, indices: indices, due: now, expiry: now.addingTimeInterval(lifetime)))
            replayed.append(entry.messageID)
        }
        return (changes, replayed)
    }

    /// Requeues the selected completed messages (see `replayChanges`) in one
    /// durable transaction; returns their ids.
    @discardableResult
    public func replay(_ selection: JournalSelection, now: Date = Date()) async throws -> [MessageID] {
        let (changes, messages) = try replayChanges(selection, now: now)
        if !changes.isEmpty { try await commit(changes) }
        return messages
    }
}
