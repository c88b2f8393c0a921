import Envelope
import Foundation

/// The bytes of a message to enqueue.
public enum MessageBody: Sendable {
    /// The message in memory.
    case bytes([UInt8])
    /// A spill file of `size` bytes that the writer streams into the journal;
    /// the caller removes it after the commit.
    case file(path: String, size: Int)

    /// The number of bytes.
    public var size: Int {
        switch self {
        case .bytes(let bytes): bytes.count
        case .file(_, let size): size
        }
    }
}

/// A message to enqueue: its envelope, recipients and body.
public struct NewMessage: Sendable {
    public var envelope: Envelope
    /// Recipients in their initial state; `scheduled` and `held` ones enter the due index at `nextAttempt`.
    public var recipients: [Recipient]
    public var body: MessageBody

    public init(envelope: Envelope, recipients: [Recipient], body: MessageBody) {
        self.envelope = envelope
        self.recipients = recipients
        self.body = body
    }
}

/// One change to the journal. A list of changes given to `Journal.commit`
/// is applied atomically: all of it is durable, or none of it.
public enum JournalChange: Sendable {
    /// Stores a new message with its recipients and body.
    case enqueue(NewMessage)
    /// Replaces recipient `index` of message `id` (its state, attempts, times
    /// and last reply), keeping the due index and history consistent. A no-op
    /// when the message was removed meanwhile.
    case updateRecipient(MessageID, index: UInt32, Recipient)
    /// Deletes a message and everything stored about it, in quarantine too.
    case remove(MessageID)
    /// Deletes completed messages whose completion time is before `date`.
    case purgeHistory(before: Date)
    /// Takes a message that does not decode out of service: its message and
    /// recipient records move, byte for byte, into the `quarantine` database
    /// with `reason` and the time; its due-index and history entries go; its
    /// body stays where it is for inspection and `Journal.restoreQuarantined`.
    case quarantine(MessageID, reason: String)
    /// Stores a whole message with the states, times and completion it
    /// already has (import, recovery, restore from quarantine), rebuilding its
    /// due-index and history entries. Refused when the id is in use.
    case restore(RestoredMessage)
    /// Schedules final recipients `indices` of message `id` again, due at
    /// `due`, with attempts and the delay warning reset; moves the message's
    /// expiry to `expiry` when that is later (replay). A no-op for a missing
    /// message.
    case requeue(MessageID, indices: [UInt32], due: Date, expiry: Date?)
}
