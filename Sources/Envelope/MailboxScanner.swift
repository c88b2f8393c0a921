/// A cursor over the UTF-8 octets of one `MAIL FROM` / `RCPT TO` argument
/// that recognises the path grammar of RFC 5321 §4.1.2, extended for UTF-8
/// by RFC 6531 §3.3. It only recognises syntax; limits and the UTF-8 check
/// are applied afterwards by `validate(_:pathLength:allowUTF8:)`.
struct MailboxScanner {
    /// A mailbox as scanned, with the lengths the limits need.
    struct Scanned {
        /// The local part without quotes and quoted-pair backslashes.
        var localPart: String
        /// The local part's length on the wire, quotes included.
        var localPartLength: Int
        /// The domain or address literal as written.
        var domain: String
        var longestLabel: Int
    }

    private let bytes: [UInt8]
    private(set) var position = 0
    /// The offset of the first non-ASCII octet scanned, if any.
    private(set) var firstNonASCII: Int?

    init(_ text: Substring) {
        bytes = Array(text.utf8)
    }

    /// The number of octets in the scanned text.
    var count: Int { bytes.count }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func consume(_ byte: UInt8) -> Bool {
        guard current == byte else { return false }
        position += 1
        return true
    }

    mutating func expect(_ byte: UInt8, _ expected: String) throws(MailAddressError) {
        guard consume(byte) else { throw unexpected(expecting: expected) }
    }

    func expectEnd() throws(MailAddressError) {
        guard position == bytes.count else { throw unexpected(expecting: "end of address") }
    }

    /// Whether the rest of the text, from the current position, is `rest` in any case.
    func remainderEqualsCaseInsensitive(_ rest: String) -> Bool {
        let tail = bytes[position...]
        return tail.count == rest.utf8.count
            && zip(tail, rest.utf8).allSatisfy { Self.lowercased($0) == Self.lowercased($1) }
    }

    // MARK: - Paths

    /// `Path = "<" [ A-d-l ":" ] Mailbox ">"`, after the `<`; the source route is dropped.
    mutating func scanBracketedMailbox() throws(MailAddressError) -> Scanned {
        try skipSourceRoute()
        let mailbox = try scanMailbox()
        try expect(Self.greaterThan, "\">\"")
        try expectEnd()
        return mailbox
    }

    /// `A-d-l = At-domain *( "," At-domain )`, `At-domain = "@" Domain`, then `":"`.
    ///
    /// RFC 5321 §4.1.2 and Appendix C: source routes must be accepted and ignored.
    private mutating func skipSourceRoute() throws(MailAddressError) {
        guard current == Self.at else { return }
        while true {
            try expect(Self.at, "\"@\"")
            _ = try scanDomain()
            if consume(Self.comma) { continue }
            try expect(Self.colon, "\":\"")
            return
        }
    }

    /// `Mailbox = Local-part "@" ( Domain / address-literal )`
    mutating func scanMailbox() throws(MailAddressError) -> Scanned {
        let localStart = position
        let localPart = try scanLocalPart()
        let localPartLength = position - localStart
        try expect(Self.at, "\"@\"")
        if current == Self.openBracket {
            return Scanned(
                localPart: localPart, localPartLength: localPartLength,
                domain: try scanAddressLiteral(), longestLabel: 0)
        }
        let (domain, longestLabel) = try scanDomain()
        return Scanned(
            localPart: localPart, localPartLength: localPartLength,
            domain: domain, longestLabel: longestLabel)
    }

    /// Applies the RFC 5321 §4.5.3.1 limits and the RFC 6531 UTF-8 rule.
    func validate(
        _ mailbox: Scanned, pathLength: Int, allowUTF8: Bool
    ) throws(MailAddressError) -> MailAddress {
        if mailbox.localPartLength > MailAddressError.Limit.localPart.octets { throw .tooLong(.localPart) }
        if mailbox.longestLabel > MailAddressError.Limit.domainLabel.octets { throw .tooLong(.domainLabel) }
        if mailbox.domain.utf8.count > MailAddressError.Limit.domain.octets { throw .tooLong(.domain) }
        if pathLength > MailAddressError.Limit.path.octets { throw .tooLong(.path) }
        if !allowUTF8, let offset = firstNonASCII { throw .utf8NotPermitted(at: offset) }
        return MailAddress(localPart: mailbox.localPart, domain: mailbox.domain)
    }

    // MARK: - Local part

    /// `Local-part = Dot-string / Quoted-string`
    private mutating func scanLocalPart() throws(MailAddressError) -> String {
        current == Self.quote ? try scanQuotedString() : try scanDotString()
    }

    /// `Dot-string = Atom *("." Atom)`, `Atom = 1*atext`
    private mutating func scanDotString() throws(MailAddressError) -> String {
        let start = position
        while true {
            let atomStart = position
            while let byte = current {
                if Self.isAtext(byte) {
                    position += 1
                } else if byte >= 0x80 {
                    try consumeNonASCII()
                } else {
                    break
                }
            }
            if position == atomStart {
                if position == start {
                    if current == Self.dot { throw .malformed("local part starts with a dot", at: position) }
                    throw unexpected(expecting: "local part")
                }
                if current == Self.dot { throw .malformed("consecutive dots", at: position) }
                if current == Self.at || current == nil {
                    throw .malformed("local part ends with a dot", at: position - 1)
                }
                throw unexpected(expecting: "atom")
            }
            guard consume(Self.dot) else { break }
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    /// `Quoted-string = DQUOTE *QcontentSMTP DQUOTE`,
    /// `QcontentSMTP = qtextSMTP / quoted-pairSMTP`, `quoted-pairSMTP = %d92 %d32-126`
    private mutating func scanQuotedString() throws(MailAddressError) -> String {
        let open = position
        position += 1
        var content: [UInt8] = []
        while true {
            guard let byte = current else { throw .malformed("unterminated quoted string", at: open) }
            switch byte {
            case Self.quote:
                position += 1
                return String(decoding: content, as: UTF8.self)
            case Self.backslash:
                let next = position + 1
                guard next < bytes.count, (0x20...0x7E).contains(bytes[next]) else {
                    throw .malformed("invalid quoted-pair", at: position)
                }
                content.append(bytes[next])
                position += 2
            case 0x20...0x7E:
                content.append(byte)
                position += 1
            case 0x80...:
                let start = position
                try consumeNonASCII()
                content.append(contentsOf: bytes[start..<position])
            default:
                throw unexpected(expecting: "quoted text")
            }
        }
    }

    // MARK: - Domain

    /// `Domain = sub-domain *("." sub-domain)`, `sub-domain = Let-dig [Ldh-str]`
    /// (or a U-label, RFC 6531 §3.3); returns the domain and its longest label.
    private mutating func scanDomain() throws(MailAddressError) -> (String, Int) {
        let start = position
        var longestLabel = 0
        while true {
            let labelStart = position
            var endsWithHyphen = false
            while let byte = current {
                if Self.isLetDig(byte) {
                    endsWithHyphen = false
                    position += 1
                } else if byte == Self.hyphen {
                    if position == labelStart { throw .malformed("domain label starts with a hyphen", at: position) }
                    endsWithHyphen = true
                    position += 1
                } else if byte >= 0x80 {
                    endsWithHyphen = false
                    try consumeNonASCII()
                } else {
                    break
                }
            }
            if position == labelStart {
                if position == start { throw unexpected(expecting: "domain") }
                if current == Self.dot { throw .malformed("empty domain label", at: position) }
                if current == nil || current == Self.greaterThan {
                    throw .malformed("domain ends with a dot", at: position - 1)
                }
                throw unexpected(expecting: "domain label")
            }
            if endsWithHyphen { throw .malformed("domain label ends with a hyphen", at: position - 1) }
            longestLabel = max(longestLabel, position - labelStart)
            guard consume(Self.dot) else { break }
        }
        return (String(decoding: bytes[start..<position], as: UTF8.self), longestLabel)
    }

    /// `address-literal = "[" ( IPv4-address-literal / IPv6-address-literal /
    /// General-address-literal ) "]"` (RFC 5321 §4.1.3), returned with its brackets.
    private mutating func scanAddressLiteral() throws(MailAddressError) -> String {
        let open = position
        position += 1
        let contentStart = position
        while let byte = current, byte != Self.closeBracket {
            guard AddressLiteral.isDcontent(byte) else {
                throw unexpected(expecting: "address literal")
            }
            position += 1
        }
        guard current == Self.closeBracket else { throw .malformed("unterminated address literal", at: open) }
        guard AddressLiteral.isValid(bytes[contentStart..<position]) else {
            throw .malformed("invalid address literal", at: contentStart)
        }
        position += 1
        return String(decoding: bytes[open..<position], as: UTF8.self)
    }

    // MARK: - Characters

    /// Consumes one non-ASCII scalar (RFC 6531 `UTF8-non-ascii`), refusing
    /// controls, separators and U+FFFD (a sign of undecodable input).
    private mutating func consumeNonASCII() throws(MailAddressError) {
        guard let (scalar, length) = decodeScalar(at: position) else {
            throw .malformed("invalid UTF-8", at: position)
        }
        guard Self.isPermittedNonASCII(scalar) else {
            throw .malformed("forbidden non-ASCII character", at: position)
        }
        if firstNonASCII == nil { firstNonASCII = position }
        position += length
    }

    private func decodeScalar(at index: Int) -> (Unicode.Scalar, Int)? {
        let lead = bytes[index]
        let length: Int
        var value: UInt32
        switch lead {
        case 0xC2...0xDF: length = 2; value = UInt32(lead & 0x1F)
        case 0xE0...0xEF: length = 3; value = UInt32(lead & 0x0F)
        case 0xF0...0xF4: length = 4; value = UInt32(lead & 0x07)
        default: return nil
        }
        guard index + length <= bytes.count else { return nil }
        for byte in bytes[(index + 1)..<(index + length)] {
            guard byte & 0xC0 == 0x80 else { return nil }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        guard let scalar = Unicode.Scalar(value) else { return nil }
        return (scalar, length)
    }

    static func isPermittedNonASCII(_ scalar: Unicode.Scalar) -> Bool {
        guard scalar.value >= 0x80, scalar != "\u{FFFD}" else { return false }
        switch scalar.properties.generalCategory {
        case .control, .spaceSeparator, .lineSeparator, .paragraphSeparator, .surrogate: return false
        default: return true
        }
    }

    /// RFC 5321 `atext` (RFC 5322 §3.2.3): letters, digits and ``!#$%&'*+-/=?^_`{|}~``.
    static func isAtext(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "/"),
            UInt8(ascii: "="), UInt8(ascii: "?"), UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"),
            UInt8(ascii: "{"), UInt8(ascii: "|"), UInt8(ascii: "}"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    /// `Let-dig = ALPHA / DIGIT`
    static func isLetDig(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            false
        }
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }

    /// A malformed-syntax error at the current position that names what was
    /// found in general terms (the input itself is never echoed beyond one
    /// printable ASCII character).
    private func unexpected(expecting expected: String) -> MailAddressError {
        let found: String
        switch current {
        case nil: found = "end of input"
        case 0x00: found = "NUL"
        case 0x0D, 0x0A: found = "line break"
        case 0x20: found = "space"
        case let byte? where byte < 0x20 || byte == 0x7F: found = "control character"
        case let byte? where byte >= 0x80: found = "non-ASCII character"
        case let byte?: found = "'\(Character(Unicode.Scalar(byte)))'"
        }
        return .malformed("\(found) where \(expected) expected", at: position)
    }

    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")
    static let dot = UInt8(ascii: ".")
    static let at = UInt8(ascii: "@")
    static let hyphen = UInt8(ascii: "-")
    static let comma = UInt8(ascii: ",")
    static let colon = UInt8(ascii: ":")
    static let lessThan = UInt8(ascii: "<")
    static let greaterThan = UInt8(ascii: ">")
    static let openBracket = UInt8(ascii: "[")
    static let closeBracket = UInt8(ascii: "]")
}
