import Envelope

/// What an export wrote and what it could not.
public struct ExportReport: Sendable {
    /// Messages written, in order.
    public var exported: [MessageID] = []
    /// Messages selected but not written, with the reason (a record or body that does not read).
    public var failed: [(id: MessageID, reason: String)] = []
}
