import Envelope
import Foundation

/// Which messages an export or a replay takes: every criterion that is set
/// must hold (an empty selection takes every message).
public struct JournalSelection: Hashable, Sendable {
    /// Only these message ids, when not empty.
    public var ids: Set<MessageID> = []
    /// Only messages with a recipient in this domain (case-insensitive); a
    /// replay requeues only the recipients in it.
    public var recipientDomain: String?
    /// Only messages from this sender (the address without brackets; empty
    /// for the null sender), compared case-insensitively.
    public var sender: String?
    /// Only messages completed at or after this time.
    public var completedSince: Date?
    /// Only messages completed before this time.
    public var completedUntil: Date?

    public init(ids: Set<MessageID> = [], recipientDomain: String? = nil, sender: String? = nil, completedSince: Date? = nil, completedUntil: Date? = nil) {
        self.ids = ids
        self.recipientDomain = recipientDomain
        self.sender = sender
        self.completedSince = completedSince
        self.completedUntil = completedUntil
    }

    /// Every message.
    public static let all = JournalSelection()

    /// Whether `message` is selected.
    public func matches(_ message: QueuedMessage) -> Bool {
        if !ids.isEmpty && !ids.contains(message.envelope.id) { return false }
        if let sender, (message.envelope.sender.address?.description ?? "").lowercased() != sender.lowercased() { return false }
        if recipientDomain != nil && !message.recipients.contains(where: matches) { return false }
        if completedSince != nil || completedUntil != nil {
            guard let completed = message.completed else { return false }
            if let completedSince, completed < completedSince { return false }
            if let completedUntil, completed >= completedUntil { return false }
        }
        return true
    }

    /// Whether `recipient` is in the selected domain (any recipient when no domain is set).
    public func matches(_ recipient: Recipient) -> Bool {
        guard let recipientDomain else { return true }
        return recipient.address.normalizedDomain == recipientDomain.lowercased()
    }
}
