import Foundation

/// The portable queue archive: messages with their envelope metadata and raw
/// bytes, to move a queue between hosts or keep it aside.
///
/// Format version 1, a byte stream (one file, stdin/stdout, or one file per
/// message in a directory, each a complete stream):
///
///     TERN-ARCHIVE 1\n
///     MESSAGE <metadata length> <body length>\n
///     <metadata: ArchivedMessage as JSON, that many bytes>\n
///     <body: the raw message, that many bytes>\n
///     …one MESSAGE block per message…
///     END <message count>\n
///
/// Lengths are decimal byte counts, so any bytes survive (binary, 8-bit,
/// bare CR or LF, lines that look like markers). The `END` line detects a
/// truncated stream.
public enum QueueArchive {
    /// The format version this build writes and reads.
    public static let formatVersion = 1
    /// The first line of every archive, without its newline.
    static let magic = "TERN-ARCHIVE"
    /// The longest header line accepted (`MESSAGE`, `END`, the magic line).
    static let maxLineLength = 80
    /// The largest metadata block accepted.
    public static let maxMetadataLength = 16 << 20
    /// The file name extension of one-message files in a directory archive.
    public static let fileExtension = "tern"

    /// The stream's first line.
    public static func header() -> [UInt8] {
        Array("\(magic) \(formatVersion)\n".utf8)
    }

    /// The framing and metadata that precede a message's `metadata.size` body bytes.
    public static func messageHeader(_ metadata: ArchivedMessage) throws(QueueArchiveError) -> [UInt8] {
        let json: Data
        do {
            json = try jsonEncoder().encode(metadata)
        } catch {
            throw QueueArchiveError(.invalidMessage, "cannot encode the metadata: \(error)", messageID: metadata.id)
        }
        var bytes = Array("MESSAGE \(json.count) \(metadata.size)\n".utf8)
        bytes.append(contentsOf: json)
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// What follows a message's body.
    public static let messageTrailer: [UInt8] = [UInt8(ascii: "\n")]

    /// The stream's last line.
    public static func trailer(messageCount: Int) -> [UInt8] {
        Array("END \(messageCount)\n".utf8)
    }

    /// A whole archive in memory (small archives, tests, the control socket).
    public static func encode(_ messages: [(ArchivedMessage, [UInt8])]) throws(QueueArchiveError) -> [UInt8] {
        var bytes = header()
        for (metadata, body) in messages {
            guard metadata.size == body.count else {
                throw QueueArchiveError(.invalidMessage, "size \(metadata.size) differs from the body's \(body.count) bytes", messageID: metadata.id)
            }
            bytes += try messageHeader(metadata)
            bytes += body
            bytes += messageTrailer
        }
        bytes += trailer(messageCount: messages.count)
        return bytes
    }

    /// Decodes a whole archive in memory.
    public static func decode(_ bytes: [UInt8]) throws(QueueArchiveError) -> [(ArchivedMessage, [UInt8])] {
        var decoder = QueueArchiveDecoder()
        decoder.feed(bytes)
        var result: [(ArchivedMessage, [UInt8])] = []
        var body: [UInt8] = []
        var current: ArchivedMessage?
        while let event = try decoder.next() {
            switch event {
            case .message(let metadata):
                current = metadata
                body = []
            case .bodyChunk(let chunk):
                body += chunk
            case .messageEnd:
                if let current { result.append((current, body)) }
            case .end:
                break
            }
        }
        try decoder.finish()
        return result
    }

    static func jsonEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(timestamp(date))
        }
        return encoder
    }

    /// `2026-11-25T14:06:29.123Z`: UTC with the journal's whole milliseconds,
    /// written from the integer so that no digit is lost to binary fractions.
    static func timestamp(_ date: Date) -> String {
        let milliseconds = date.journalMilliseconds
        let (seconds, fraction) = milliseconds.quotientAndRemainder(dividingBy: 1000)
        let (wholeSeconds, positiveFraction) = fraction < 0 ? (seconds - 1, fraction + 1000) : (seconds, fraction)
        let text = Date(timeIntervalSince1970: Double(wholeSeconds)).formatted(Date.ISO8601FormatStyle())
        let digits = String(positiveFraction)
        return text.dropLast() + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }

    static func jsonDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            let parsed = (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)) ?? (try? Date.ISO8601FormatStyle().parse(text))
            // The journal keeps whole milliseconds: land on exactly the value it would store.
            if let parsed { return Date(journalMilliseconds: Int64((parsed.timeIntervalSince1970 * 1000).rounded())) }
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not an ISO 8601 time")
        }
        return decoder
    }
}
