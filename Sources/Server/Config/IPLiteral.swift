/// A textual IPv4 or IPv6 address parsed into its bytes, as written in a
/// configuration (`192.0.2.1`, `::1`, `2001:db8::25`, `::ffff:192.0.2.1`).
///
/// Parsing never fails with a trap; anything that is not a literal address
/// (host names, zone ids such as `fe80::1%eth0`, leading zeros such as `010.0.0.1`)
/// yields nil.
public struct IPLiteral: Hashable, Sendable, CustomStringConvertible {
    /// The address bytes in network order: 4 for IPv4, 16 for IPv6.
    public let bytes: [UInt8]

    /// Parses a literal address, or returns nil.
    public init?(_ text: String) {
        if let v4 = Self.parseIPv4(Substring(text)) {
            bytes = v4
        } else if let v6 = Self.parseIPv6(text) {
            bytes = v6
        } else {
            return nil
        }
    }

    /// The IPv4 address `a.b.c.d`.
    public init(ipv4 a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        bytes = [a, b, c, d]
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Whether this is an IPv4 address.
    public var isIPv4: Bool { bytes.count == 4 }

    /// The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`), or self.
    public var unmapped: IPLiteral {
        guard bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF else {
            return self
        }
        return IPLiteral(bytes: Array(bytes[12..<16]))
    }

    /// Whether the address is a loopback address: `127.0.0.0/8`, `::1`, or an IPv4-mapped loopback.
    public var isLoopback: Bool {
        let address = unmapped
        if address.isIPv4 { return address.bytes[0] == 127 }
        return address.bytes[0..<15].allSatisfy { $0 == 0 } && address.bytes[15] == 1
    }

    /// Dotted quad for IPv4; for IPv6 the RFC 5952 form (lowercase, longest zero run as `::`).
    public var description: String {
        if isIPv4 { return bytes.map(String.init).joined(separator: ".") }
        var groups: [UInt16] = []
        for index in stride(from: 0, to: 16, by: 2) {
            groups.append(UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]))
        }
        var bestStart = -1
        var bestLength = 0
        var runStart = -1
        for (index, group) in groups.enumerated() {
            if group == 0 {
                if runStart < 0 { runStart = index }
                let length = index - runStart + 1
                if length > bestLength && length > 1 {
                    bestStart = runStart
                    bestLength = length
                }
            } else {
                runStart = -1
            }
        }
        let hex = groups.map { String($0, radix: 16) }
        guard bestStart >= 0 else { return hex.joined(separator: ":") }
        let head = hex[0..<bestStart].joined(separator: ":")
        let tail = hex[(bestStart + bestLength)...].joined(separator: ":")
        return head + "::" + tail
    }

    private static func parseIPv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var result: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            guard part.count == 1 || part.first != "0" else { return nil }
            guard let value = UInt8(part) else { return nil }
            result.append(value)
        }
        return result
    }

    private static func parseIPv6(_ text: String) -> [UInt8]? {
        guard text.contains(":"), text.count <= 45 else { return nil }
        let gaps = text.ranges(of: "::")
        guard let gap = gaps.first else {
            guard let all = parseGroups(Substring(text), allowIPv4Tail: true) else { return nil }
            return all.count == 16 ? all : nil
        }
        guard gaps.count == 1,
            let head = parseGroups(text[..<gap.lowerBound], allowIPv4Tail: false),
            let tail = parseGroups(text[gap.upperBound...], allowIPv4Tail: true)
        else { return nil }
        let missing = 16 - head.count - tail.count
        guard missing >= 2 else { return nil }
        return head + Array(repeating: 0, count: missing) + tail
    }

    /// Parses colon-separated hex groups (possibly empty text), with an optional dotted-quad last group.
    private static func parseGroups(_ text: Substring, allowIPv4Tail: Bool) -> [UInt8]? {
        if text.isEmpty { return [] }
        let groups = text.split(separator: ":", omittingEmptySubsequences: false)
        var result: [UInt8] = []
        for (index, group) in groups.enumerated() {
            if index == groups.count - 1, allowIPv4Tail, group.contains(".") {
                guard let v4 = parseIPv4(group) else { return nil }
                result += v4
                continue
            }
            guard (1...4).contains(group.count), group.allSatisfy({ $0.isHexDigit && $0.isASCII }),
                let value = UInt16(group, radix: 16)
            else { return nil }
            result.append(UInt8(value >> 8))
            result.append(UInt8(value & 0xFF))
        }
        return result.count <= 16 ? result : nil
    }
}
