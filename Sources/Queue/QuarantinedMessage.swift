import Envelope
import Foundation

/// A message in the journal's quarantine: taken out of service because a
/// record of it did not decode, kept for inspection, `restore` or `remove`.
public struct QuarantinedMessage: Hashable, Sendable {
    public var messageID: MessageID
    /// Why it was quarantined (the decoding error).
    public var reason: String
    /// When it was quarantined.
    public var quarantined: Date
    /// The envelope, when the message record decodes now.
    public var envelope: Envelope?
    /// Recipients by index whose records decode now.
    public var recipients: [UInt32: Recipient]
    /// Recipient indices whose records are missing or still do not decode.
    public var unreadableRecipients: [UInt32]

    /// Whether `Journal.restoreQuarantined` would bring the whole message back.
    public var isReadable: Bool { envelope != nil && unreadableRecipients.isEmpty && !recipients.isEmpty }
}
