import Envelope
import Foundation

/// A whole message to put into a journal as it was elsewhere: imported from
/// an archive, salvaged by recovery, or restored from quarantine.
public struct RestoredMessage: Sendable {
    public var envelope: Envelope
    /// Recipients in index order, with their states; scheduled and held ones
    /// enter the due index at `nextAttempt`.
    public var recipients: [Recipient]
    /// The message bytes, or nil when they are already stored under the
    /// envelope's id (a quarantined message keeps its body in place).
    public var body: MessageBody?
    /// When the message was completed; kept only if every recipient is final.
    public var completed: Date?

    public init(envelope: Envelope, recipients: [Recipient], body: MessageBody?, completed: Date? = nil) {
        self.envelope = envelope
        self.recipients = recipients
        self.body = body
        self.completed = completed
    }
}
