import Envelope

/// A failure of the journal, with what an operator or the SMTP layer needs to
/// act on it: ingress answers `452 4.3.1` for `storageFull` and `451 4.3.0` for
/// everything else; it never answers 5xx for our own storage trouble.
public struct JournalError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case storageFull, unavailable, corruptRecord, invalidChange, closed, locked
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The disk (or the largest allowed map) is full; nothing of the change was stored.
        public static let storageFull = Code(.storageFull)
        /// LMDB or the file system failed; the change was not stored.
        public static let unavailable = Code(.unavailable)
        /// A stored record could not be decoded.
        public static let corruptRecord = Code(.corruptRecord)
        /// The change itself was inconsistent (for example a duplicate message id or an unreadable body file).
        public static let invalidChange = Code(.invalidChange)
        /// The journal has been closed.
        public static let closed = Code(.closed)
        /// Another process holds the journal.
        public static let locked = Code(.locked)

        public var description: String {
            switch base {
            case .storageFull: "storage full"
            case .unavailable: "journal unavailable"
            case .corruptRecord: "corrupt record"
            case .invalidChange: "invalid change"
            case .closed: "journal closed"
            case .locked: "journal locked"
            }
        }
    }

    public let code: Code
    /// What happened, in words.
    public let detail: String
    /// The message concerned, when there is one.
    public let messageID: MessageID?
    public let file: String
    public let line: Int

    public init(_ code: Code, _ detail: String, messageID: MessageID? = nil, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.detail = detail
        self.messageID = messageID
        self.file = file
        self.line = line
    }

    public var description: String {
        let subject = messageID.map { " id=\($0)" } ?? ""
        return "\(code)\(subject): \(detail)"
    }

    /// Maps an LMDB failure onto the journal's codes.
    static func from(_ error: LMDBError, messageID: MessageID? = nil, file: String = #fileID, line: Int = #line) -> JournalError {
        let code: Code = error.isNoSpace || error.isMapFull ? .storageFull : .unavailable
        return JournalError(code, error.description, messageID: messageID, file: file, line: line)
    }
}
