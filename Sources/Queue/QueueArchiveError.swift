/// Why a queue archive could not be read or written, with where: the
/// message's position in the archive (0-based), its id when known, and the
/// byte offset in the stream.
public struct QueueArchiveError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case malformed, truncated, unsupportedVersion, invalidMessage, io
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The bytes are not a queue archive or break its framing.
        public static let malformed = Code(.malformed)
        /// The stream ended inside a message or before the end marker.
        public static let truncated = Code(.truncated)
        /// A format or metadata version this build does not read.
        public static let unsupportedVersion = Code(.unsupportedVersion)
        /// The framing is sound but a message's metadata is not (bad JSON, address, id or size).
        public static let invalidMessage = Code(.invalidMessage)
        /// Reading or writing the archive file failed.
        public static let io = Code(.io)

        public var description: String {
            switch base {
            case .malformed: "malformed archive"
            case .truncated: "truncated archive"
            case .unsupportedVersion: "unsupported archive version"
            case .invalidMessage: "invalid archived message"
            case .io: "archive I/O error"
            }
        }
    }

    public let code: Code
    /// What happened, in words.
    public let detail: String
    /// The message's position in the archive, when the error concerns one.
    public let messageIndex: Int?
    /// The message id, when known.
    public let messageID: String?
    /// The byte offset in the stream where the problem was found.
    public let offset: Int?

    public init(_ code: Code, _ detail: String, messageIndex: Int? = nil, messageID: String? = nil, offset: Int? = nil) {
        self.code = code
        self.detail = detail
        self.messageIndex = messageIndex
        self.messageID = messageID
        self.offset = offset
    }

    public var description: String {
        var context: [String] = []
        if let messageIndex { context.append("message \(messageIndex)") }
        if let messageID { context.append("id=\(messageID)") }
        if let offset { context.append("offset \(offset)") }
        return "\(code)" + (context.isEmpty ? "" : " (" + context.joined(separator: ", ") + ")") + ": \(detail)"
    }
}
