// MARK: - Encoding (RFC 5321 §4.2, RFC 2034 §4)
//
//     Reply-line = *( Reply-code "-" [ textstring ] CRLF )
//                  Reply-code [ SP textstring ] CRLF
//
// With ENHANCEDSTATUSCODES every line carries the status after the code:
//
//     250-2.1.5 first line
//     250 2.1.5 last line

extension SMTPReply {
    /// The longest reply line, CRLF included (RFC 5321 §4.5.3.1.5).
    public static let maximumLineLength = 512

    /// The reply as it goes on the wire, each line ending in CRLF.
    ///
    /// Every line but the last is `CODE-text`, the last `CODE text`. When
    /// `enhancedStatusCodes` is on (the client sent `EHLO` and we announced
    /// `ENHANCEDSTATUSCODES`) and `status` is set, each line carries the
    /// status after the code: `250-2.1.5 text`.
    ///
    /// The text is made safe for the wire: CR, LF, NUL, other controls (but
    /// HT) and DEL become spaces, so no text can end a line or inject a
    /// reply. A line longer than `maximumLineLength` octets is split into
    /// several lines, each with the code and status, at Unicode scalar
    /// boundaries; nothing is dropped. An empty text gives `250 ` (or
    /// `250 2.0.0` with a status).
    ///
    ///     SMTPReply(code: 250, status: .ok, "Ok").encoded(enhancedStatusCodes: true)
    ///     // "250 2.0.0 Ok\r\n"
    public func encoded(enhancedStatusCodes: Bool) -> String {
        let statusText = enhancedStatusCodes ? status.map(\.description) : nil
        let codeText = String(code)
        // Code, separator, and the status with its space.
        let prefixLength = codeText.utf8.count + 1 + (statusText.map { $0.utf8.count + 1 } ?? 0)
        let budget = max(1, Self.maximumLineLength - 2 - prefixLength)
        let chunks = lines.flatMap { Self.split(Self.sanitized($0), budget: budget) }
        var out = ""
        for (index, chunk) in chunks.enumerated() {
            out += codeText
            out += index == chunks.count - 1 ? " " : "-"
            if let statusText {
                out += statusText
                if !chunk.isEmpty { out += " " }
            }
            out += chunk
            out += "\r\n"
        }
        return out
    }

    /// The text with every control character but HT, and DEL, replaced by a space.
    static func sanitized(_ text: String) -> String {
        // Controls are single UTF-8 octets, so a text without them needs no copy.
        guard text.utf8.contains(where: { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let isControl = (scalar.value < 0x20 && scalar != "\t") || scalar.value == 0x7F
            out.append(isControl ? " " : scalar)
        }
        return String(out)
    }

    /// `text` cut into pieces of at most `budget` UTF-8 octets, at scalar boundaries.
    private static func split(_ text: String, budget: Int) -> [String] {
        guard text.utf8.count > budget else { return [text] }
        var chunks: [String] = []
        var current = String.UnicodeScalarView()
        var currentLength = 0
        for scalar in text.unicodeScalars {
            let length = UTF8.width(scalar)
            if currentLength + length > budget {
                chunks.append(String(current))
                current = String.UnicodeScalarView()
                currentLength = 0
            }
            current.append(scalar)
            currentLength += length
        }
        chunks.append(String(current))
        return chunks
    }

    /// 2yz: positive completion.
    public var isPositiveCompletion: Bool { (200...299).contains(code) }

    /// 3yz: positive intermediate (`354` after `DATA`, `334` during `AUTH`).
    public var isPositiveIntermediate: Bool { (300...399).contains(code) }

    /// 4yz: transient negative completion; the command may succeed later.
    public var isTransientNegative: Bool { (400...499).contains(code) }

    /// 5yz: permanent negative completion.
    public var isPermanentNegative: Bool { (500...599).contains(code) }

    /// The text lines joined by single spaces, for logs and DSN diagnostics.
    public var text: String { lines.joined(separator: " ") }
}

extension SMTPReply: CustomStringConvertible {
    /// One line for logs: `550 5.7.1 Relay access denied`.
    public var description: String {
        var out = String(code)
        if let status { out += " " + status.description }
        let text = Self.sanitized(text)
        if !text.isEmpty { out += " " + text }
        return out
    }
}
