import Foundation

/// Reads a queue archive (see `QueueArchive`) one step at a time from bytes
/// fed in any pieces, without I/O: `next()` returns the next event, or nil
/// when it needs more bytes. Bodies come out in chunks, so a large message
/// never has to be held whole.
public struct QueueArchiveDecoder: Sendable {
    /// What the archive says next.
    public enum Event: Sendable {
        /// A message begins; `metadata.size` body bytes follow as chunks.
        case message(ArchivedMessage)
        /// The next bytes of the current message.
        case bodyChunk([UInt8])
        /// The current message is complete.
        case messageEnd
        /// The end marker: the archive is complete.
        case end
    }

    private enum State: Sendable {
        case magic
        case header
        case metadata(length: Int, bodyLength: Int)
        case body(remaining: Int)
        case bodyTrailer
        case done
    }

    private var buffer: [UInt8] = []
    private var start = 0
    private var state = State.magic
    /// Stream offset of `buffer[start]`.
    private var consumed = 0
    private var messageCount = 0
    private var currentID: String?

    /// The largest body chunk returned at once.
    public var maxChunk = 1 << 20

    public init() {}

    /// Appends the next bytes of the stream.
    public mutating func feed(_ bytes: some Collection<UInt8>) {
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    private var available: Int { buffer.count - start }

    private func error(_ code: QueueArchiveError.Code, _ detail: String, at offset: Int? = nil) -> QueueArchiveError {
        let inMessage: Bool
        switch state {
        case .metadata, .body, .bodyTrailer: inMessage = true
        default: inMessage = false
        }
        return QueueArchiveError(
            code, detail, messageIndex: inMessage || code == .truncated && currentID != nil ? messageCount : nil,
            messageID: inMessage ? currentID : nil, offset: offset ?? consumed
        )
    }

    private mutating func take(_ count: Int) -> ArraySlice<UInt8> {
        defer {
            start += count
            consumed += count
        }
        return buffer[start..<(start + count)]
    }

    /// The next line without its newline, or nil when it is not complete yet.
    private mutating func line() throws(QueueArchiveError) -> String? {
        let limit = min(available, QueueArchive.maxLineLength + 1)
        guard let newline = buffer[start..<(start + limit)].firstIndex(of: UInt8(ascii: "\n")) else {
            if available > QueueArchive.maxLineLength { throw error(.malformed, "expected a header line of at most \(QueueArchive.maxLineLength) bytes") }
            return nil
        }
        let bytes = take(newline - start + 1).dropLast()
        guard let text = String(validating: bytes, as: UTF8.self) else { throw error(.malformed, "header line is not UTF-8", at: consumed - bytes.count - 1) }
        return text
    }

    /// The next event, or nil when more bytes are needed.
    /// - Throws: `QueueArchiveError` with the message index, id and stream offset.
    public mutating func next() throws(QueueArchiveError) -> Event? {
        while true {
            switch state {
            case .magic:
                let lineStart = consumed
                guard let text = try line() else { return nil }
                let parts = text.split(separator: " ")
                guard parts.count == 2, parts[0] == QueueArchive.magic, let version = Int(parts[1]) else {
                    throw error(.malformed, "not a Tern queue archive (expected '\(QueueArchive.magic) \(QueueArchive.formatVersion)')", at: lineStart)
                }
                guard version == QueueArchive.formatVersion else {
                    throw error(.unsupportedVersion, "format version \(version); this build reads \(QueueArchive.formatVersion)", at: lineStart)
                }
                state = .header
            case .header:
                let lineStart = consumed
                guard let text = try line() else { return nil }
                let parts = text.split(separator: " ", omittingEmptySubsequences: false)
                if parts.count == 2, parts[0] == "END" {
                    guard let count = Int(parts[1]), count == messageCount else {
                        throw error(.malformed, "end marker says \(parts[1]) messages, the archive holds \(messageCount)", at: lineStart)
                    }
                    state = .done
                    return .end
                }
                guard parts.count == 3, parts[0] == "MESSAGE", let metadataLength = Int(parts[1]), let bodyLength = Int(parts[2]),
                      (1...QueueArchive.maxMetadataLength).contains(metadataLength), bodyLength >= 0 else {
                    throw error(.malformed, "expected 'MESSAGE <metadata length> <body length>' or 'END <count>', found '\(text.prefix(40))'", at: lineStart)
                }
                currentID = nil
                state = .metadata(length: metadataLength, bodyLength: bodyLength)
            case .metadata(let length, let bodyLength):
                guard available >= length + 1 else { return nil }
                let metadataStart = consumed
                let json = Data(take(length))
                let metadata: ArchivedMessage
                do {
                    metadata = try QueueArchive.jsonDecoder().decode(ArchivedMessage.self, from: json)
                } catch {
                    throw self.error(.invalidMessage, "metadata is not valid: \(error)", at: metadataStart)
                }
                currentID = metadata.id
                guard metadata.size == bodyLength else {
                    throw error(.invalidMessage, "metadata size \(metadata.size) differs from the framed body length \(bodyLength)", at: metadataStart)
                }
                guard take(1).first == UInt8(ascii: "\n") else { throw error(.malformed, "expected a newline after the metadata", at: consumed - 1) }
                state = .body(remaining: bodyLength)
                return .message(metadata)
            case .body(let remaining):
                if remaining == 0 {
                    state = .bodyTrailer
                    continue
                }
                guard available > 0 else { return nil }
                let count = min(remaining, available, maxChunk)
                let chunk = Array(take(count))
                state = .body(remaining: remaining - count)
                return .bodyChunk(chunk)
            case .bodyTrailer:
                guard available >= 1 else { return nil }
                guard take(1).first == UInt8(ascii: "\n") else { throw error(.malformed, "expected a newline after the message body", at: consumed - 1) }
                messageCount += 1
                state = .header
                return .messageEnd
            case .done:
                guard available == 0 else { throw error(.malformed, "\(available) bytes after the end marker") }
                return nil
            }
        }
    }

    /// Call at the end of the input: fails unless the archive was complete.
    public func finish() throws(QueueArchiveError) {
        switch state {
        case .done:
            return
        case .magic where consumed == 0 && available == 0:
            throw error(.truncated, "the archive is empty")
        case .metadata, .body, .bodyTrailer:
            throw error(.truncated, "the stream ends inside message \(messageCount)", at: consumed + available)
        default:
            throw error(.truncated, "the stream ends before the end marker after \(messageCount) messages", at: consumed + available)
        }
    }
}
