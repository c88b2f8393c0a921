/// Validation of the contents of an RFC 5321 §4.1.3 address literal, the
/// text between `[` and `]`:
///
///     IPv4-address-literal    = Snum 3("." Snum)
///     IPv6-address-literal    = "IPv6:" IPv6-addr
///     General-address-literal = Standardized-tag ":" 1*dcontent
///
/// IPv6 follows the RFC 5321 grammar exactly, which is stricter than
/// RFC 4291: `::` stands for at least two groups of zeros, so at most six
/// groups may be written beside it (four beside an IPv4 suffix).
enum AddressLiteral {
    /// `dcontent = %d33-90 / %d94-126`: printable ASCII except `[`, `\` and `]`.
    static func isDcontent(_ byte: UInt8) -> Bool {
        (33...90).contains(byte) || (94...126).contains(byte)
    }

    /// Whether `content` (without brackets) is a valid literal.
    static func isValid(_ content: ArraySlice<UInt8>) -> Bool {
        if isIPv4(content) { return true }
        guard let colon = content.firstIndex(of: UInt8(ascii: ":")) else { return false }
        let tag = content[content.startIndex..<colon]
        let rest = content[(colon + 1)...]
        if tag.count == 4, String(decoding: tag, as: UTF8.self).lowercased() == "ipv6" {
            return isIPv6(rest)
        }
        return isStandardizedTag(tag) && !rest.isEmpty && rest.allSatisfy(isDcontent)
    }

    /// `IPv4-address-literal = Snum 3("." Snum)`, `Snum = 1*3DIGIT` in 0...255.
    static func isIPv4(_ text: ArraySlice<UInt8>) -> Bool {
        let parts = text.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy(isSnum)
    }

    private static func isSnum(_ part: ArraySlice<UInt8>) -> Bool {
        guard (1...3).contains(part.count) else { return false }
        var value = 0
        for byte in part {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return false }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value <= 255
    }

    /// `IPv6-addr = IPv6-full / IPv6-comp / IPv6v4-full / IPv6v4-comp`
    static func isIPv6(_ text: ArraySlice<UInt8>) -> Bool {
        let colon = UInt8(ascii: ":")
        guard let gap = firstDoubleColon(in: text) else {
            // IPv6-full = IPv6-hex 7(":" IPv6-hex)
            // IPv6v4-full = IPv6-hex 5(":" IPv6-hex) ":" IPv4-address-literal
            guard let groups = hexGroups(text) else { return false }
            return groups.hex == (groups.hasIPv4 ? 6 : 8)
        }
        let left = text[text.startIndex..<gap]
        let right = text[(gap + 2)...]
        guard firstDoubleColon(in: right) == nil, left.last != colon, right.first != colon else { return false }
        guard let leftGroups = left.isEmpty ? (0, false) : hexGroups(left), !leftGroups.hasIPv4 else { return false }
        guard let rightGroups = right.isEmpty ? (0, false) : hexGroups(right) else { return false }
        // IPv6-comp: at most 6 groups beside "::"; IPv6v4-comp: at most 4 beside "::" and the IPv4 part.
        let written = leftGroups.hex + rightGroups.hex
        return written <= (rightGroups.hasIPv4 ? 4 : 6)
    }

    /// The colon-separated hex groups of `text`, the last of which may be an
    /// IPv4 dotted quad; nil if any group is malformed.
    private static func hexGroups(_ text: ArraySlice<UInt8>) -> (hex: Int, hasIPv4: Bool)? {
        let groups = text.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        var hex = 0
        for (index, group) in groups.enumerated() {
            if index == groups.count - 1, group.contains(UInt8(ascii: ".")) {
                return isIPv4(group) ? (hex, true) : nil
            }
            guard isHexGroup(group) else { return nil }
            hex += 1
        }
        return (hex, false)
    }

    /// `IPv6-hex = 1*4HEXDIG`
    private static func isHexGroup(_ group: ArraySlice<UInt8>) -> Bool {
        (1...4).contains(group.count) && group.allSatisfy { $0.isHexDigit }
    }

    private static func firstDoubleColon(in text: ArraySlice<UInt8>) -> Int? {
        let colon = UInt8(ascii: ":")
        var index = text.startIndex
        while index + 1 < text.endIndex {
            if text[index] == colon, text[index + 1] == colon { return index }
            index += 1
        }
        return nil
    }

    /// `Standardized-tag = Ldh-str`, `Ldh-str = *( ALPHA / DIGIT / "-" ) Let-dig`
    private static func isStandardizedTag(_ tag: ArraySlice<UInt8>) -> Bool {
        guard let last = tag.last, MailboxScanner.isLetDig(last) else { return false }
        return tag.allSatisfy { MailboxScanner.isLetDig($0) || $0 == UInt8(ascii: "-") }
    }
}
