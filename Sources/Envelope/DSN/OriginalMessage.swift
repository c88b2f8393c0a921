/// The stored message a delivery status notification reports on, read only
/// as far as a report needs: where its header section ends, its
/// `Message-ID`, and whether it can travel inside a report unchanged.
///
/// The stored message is CRLF-terminated (RFC 5322 §2.1); nothing here
/// assumes it is well formed, so any octets are safe to give.
struct OriginalMessage {
    /// The whole message.
    let bytes: [UInt8]

    /// The header section, the CRLF of its last field included and the
    /// empty line that ends it excluded (RFC 5322 §2.1). A message without
    /// an empty line is all header.
    var header: ArraySlice<UInt8> {
        var lineStart = 0
        while lineStart < bytes.count {
            guard let newline = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) else { break }
            let line = bytes[lineStart..<newline]
            if line.isEmpty || line == [UInt8(ascii: "\r")] { return bytes[..<lineStart] }
            lineStart = newline + 1
        }
        return bytes[...]
    }

    /// The longest `msg-id` taken from the header; longer ones are ignored.
    static let maximumMessageIDLength = 250

    /// The first `Message-ID` field's `msg-id`, angle brackets included:
    /// `<1234@example.com>` (RFC 5322 §3.6.4), for the report's
    /// `In-Reply-To` and `References`.
    ///
    ///     msg-id = [CFWS] "<" id-left "@" id-right ">" [CFWS]
    ///
    /// Nil when there is none, or when what sits between the first `<` and
    /// the next `>` is not printable (no controls or white space; UTF-8 only
    /// if `allowUTF8`), lacks an `@`, or is longer than
    /// `maximumMessageIDLength` octets.
    func messageID(allowUTF8: Bool) -> String? {
        guard let value = Self.fieldValue(named: "message-id", in: header),
            let open = value.firstIndex(of: UInt8(ascii: "<")),
            let close = value[open...].firstIndex(of: UInt8(ascii: ">"))
        else { return nil }
        let id = value[open...close]
        let inner = id.dropFirst().dropLast()
        guard id.count <= Self.maximumMessageIDLength, inner.contains(UInt8(ascii: "@")),
            inner.allSatisfy({ (0x21...0x7E).contains($0) || (allowUTF8 && $0 >= 0x80) }),
            !inner.contains(UInt8(ascii: "<")),
            let text = String(validating: id, as: UTF8.self)
        else { return nil }
        return text
    }

    /// The unfolded value of the first field called `name` (lower case).
    private static func fieldValue(named name: String, in header: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        let prefix = Array(name.utf8) + [UInt8(ascii: ":")]
        var value: [UInt8]?
        for line in header.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            let line = line.last == UInt8(ascii: "\r") ? line.dropLast() : line
            if var unfolded = value {
                guard let first = line.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") else { break }
                unfolded.append(contentsOf: line)
                value = unfolded
            } else if line.count >= prefix.count,
                zip(line.prefix(prefix.count), prefix).allSatisfy({ lowercased($0) == $1 })
            {
                value = Array(line.dropFirst(prefix.count))
            }
        }
        return value.map { $0[...] }
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 0x20 : byte
    }

    /// Whether `octets` can be carried unchanged in an `8bit` MIME body
    /// (RFC 2045 §2.8): lines end in CRLF and hold at most 998 octets,
    /// with no NUL and no CR or LF alone. The last line may lack its CRLF.
    static func isMailSafe(_ octets: ArraySlice<UInt8>) -> Bool {
        var lineLength = 0
        var index = octets.startIndex
        while index < octets.endIndex {
            switch octets[index] {
            case 0:
                return false
            case UInt8(ascii: "\r"):
                guard index + 1 < octets.endIndex, octets[index + 1] == UInt8(ascii: "\n") else { return false }
                lineLength = 0
                index += 2
                continue
            case UInt8(ascii: "\n"):
                return false
            default:
                lineLength += 1
                guard lineLength <= MIMEText.maximumLineLength else { return false }
            }
            index += 1
        }
        return true
    }

    /// Whether any octet has the high bit set.
    static func isEightBit(_ octets: some Sequence<UInt8>) -> Bool {
        octets.contains { $0 >= 0x80 }
    }
}
