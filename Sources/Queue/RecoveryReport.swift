import Envelope

/// What `Journal.recover` saved and what it could not.
public struct RecoveryReport: Sendable {
    /// Messages saved whole.
    public var recovered: [MessageID] = []
    /// Messages saved without some recipients, with why each was lost.
    public var partial: [(id: MessageID, lostRecipients: [UInt32], reasons: [String])] = []
    /// Messages and records that could not be saved, with why.
    public var lost: [(id: MessageID?, reason: String)] = []

    /// Whether everything was saved.
    public var isComplete: Bool { partial.isEmpty && lost.isEmpty }
}
