/// Line-level text rules shared by the parts of a delivery status
/// notification: making foreign text safe to place in a field or a line,
/// folding fields (RFC 5322 §2.2.3) and wrapping prose, always within the
/// limits of RFC 5322 §2.1.1.
enum MIMEText {
    /// The longest line, CRLF excluded (RFC 5322 §2.1.1 MUST, RFC 5321 §4.5.3.1.6).
    static let maximumLineLength = 998
    /// The line length aimed for, CRLF excluded (RFC 5322 §2.1.1 SHOULD).
    static let foldWidth = 78

    /// `text` with every character that could end a line or hide in one made
    /// a space: C0 and C1 controls (CR, LF and HT among them), DEL, and the
    /// Unicode line and paragraph separators. Without `allowUTF8` every
    /// other non-ASCII character becomes `?`. Runs of spaces are kept;
    /// leading and trailing spaces are dropped.
    ///
    /// This is what keeps a remote server's reply from adding lines or
    /// fields to a report.
    static func sanitized(_ text: String, allowUTF8: Bool) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0..<0x20, 0x7F...0x9F, 0x2028, 0x2029:
                out.append(" ")
            case 0x80...:
                out.append(allowUTF8 ? scalar : "?")
            default:
                out.append(scalar)
            }
        }
        return String(String(out).trimmingSpaces())
    }

    /// `Name: value` folded before spaces so that lines stay within
    /// `foldWidth` octets where the words allow, each ending in CRLF.
    ///
    /// Folding only inserts CRLF in front of an existing space, so
    /// unfolding (RFC 5322 §2.2.3) gives back `value` exactly. A word too
    /// long for even `maximumLineLength` octets is cut at a scalar boundary
    /// with a fold, which unfolds to an extra space: the only change ever
    /// made, and only to text no mail system would send.
    ///
    /// `value` must already be sanitized (no CR or LF).
    static func field(_ name: String, _ value: String) -> String {
        guard !value.isEmpty else { return name + ":\r\n" }
        var lines: [String] = []
        var line = name + ":"
        var lineHasWord = false
        for word in value.split(separator: " ", omittingEmptySubsequences: false) {
            if lineHasWord, !word.isEmpty, line.utf8.count + 1 + word.utf8.count > foldWidth {
                lines.append(line)
                line = ""
            }
            for piece in chunks(" " + word, limit: maximumLineLength - 1) {
                if line.utf8.count + piece.utf8.count > maximumLineLength {
                    lines.append(line)
                    line = ""
                }
                line += line.isEmpty && !piece.hasPrefix(" ") ? " " + piece : piece
            }
            lineHasWord = lineHasWord || !word.isEmpty
        }
        lines.append(line)
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// `text` wrapped at spaces into lines of at most `foldWidth` octets
    /// after `indent`, where the words allow; a longer word starts a line of
    /// its own and is cut where it would pass `maximumLineLength`. Lines
    /// have no CRLF.
    ///
    /// `text` must already be sanitized (no CR or LF).
    static func wrapped(_ text: String, indent: String = "") -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty, indent.utf8.count + line.utf8.count + 1 + word.utf8.count > foldWidth {
                lines.append(indent + line)
                line = ""
            }
            for piece in chunks(String(word), limit: maximumLineLength - indent.utf8.count - 1) {
                if !line.isEmpty, indent.utf8.count + line.utf8.count + 1 + piece.utf8.count > maximumLineLength {
                    lines.append(indent + line)
                    line = ""
                }
                line += line.isEmpty ? piece : " " + piece
            }
        }
        if !line.isEmpty { lines.append(indent + line) }
        return lines
    }

    /// `text` cut at Unicode scalar boundaries into pieces of at most `limit` UTF-8 octets.
    private static func chunks(_ text: String, limit: Int) -> [String] {
        guard text.utf8.count > limit else { return [text] }
        var pieces: [String] = []
        var current = String.UnicodeScalarView()
        var currentLength = 0
        for scalar in text.unicodeScalars {
            let length = UTF8.width(scalar)
            if currentLength + length > limit {
                pieces.append(String(current))
                current = String.UnicodeScalarView()
                currentLength = 0
            }
            current.append(scalar)
            currentLength += length
        }
        pieces.append(String(current))
        return pieces
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces (U+0020 only).
    fileprivate func trimmingSpaces() -> SubSequence {
        let start = firstIndex { $0 != " " } ?? endIndex
        let end = lastIndex { $0 != " " }.map { index(after: $0) } ?? start
        return self[start..<end]
    }
}
