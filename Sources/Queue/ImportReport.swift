/// What an import stored, what it skipped and what it could not store.
public struct ImportReport: Sendable {
    /// Messages stored.
    public var imported: [String] = []
    /// Messages whose id is already in the journal (imported before): left alone.
    public var skipped: [String] = []
    /// Messages that could not be stored, with the reason.
    public var failed: [(id: String, reason: String)] = []
    /// The framing error that stopped reading an archive, if one did.
    public var archiveError: QueueArchiveError?

    public init() {}

    /// Whether everything in the archive was stored or already present.
    public var isComplete: Bool { failed.isEmpty && archiveError == nil }
}
