/// Whether an archived message was stored.
public enum ImportOutcome: Hashable, Sendable {
    /// Stored with its id.
    case imported
    /// The id is already in the journal (or in its quarantine); nothing was changed.
    case alreadyPresent
}
