/// An address block written as `address/prefix-length` (`192.0.2.0/24`,
/// `2001:db8::/32`), or a single address (`::1`, which is `::1/128`).
///
/// Used by `match from src` and by source tables. Host bits below the prefix
/// are allowed and ignored, as most tools do.
public struct IPNetmask: Hashable, Sendable, CustomStringConvertible {
    /// The address as written (host bits kept, so the printer reproduces it).
    public let address: IPLiteral
    /// The number of leading bits that must match: 0–32 for IPv4, 0–128 for IPv6.
    public let prefixLength: Int

    /// Parses `address[/length]`, or returns nil.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPLiteral(String(parts[0])) else { return nil }
        let maximum = address.bytes.count * 8
        if parts.count == 2 {
            guard (1...3).contains(parts[1].count), parts[1].allSatisfy({ $0.isASCII && $0.isNumber }),
                let length = Int(parts[1]), length <= maximum
            else { return nil }
            prefixLength = length
        } else {
            prefixLength = maximum
        }
        self.address = address
    }

    /// The block of `address` with `prefixLength` leading bits, clamped to the address's width.
    public init(address: IPLiteral, prefixLength: Int) {
        self.address = address
        self.prefixLength = min(max(prefixLength, 0), address.bytes.count * 8)
    }

    /// Whether `candidate` lies in this block. An IPv4-mapped IPv6 candidate matches IPv4 blocks.
    public func contains(_ candidate: IPLiteral) -> Bool {
        var other = candidate
        if address.isIPv4 { other = candidate.unmapped }
        guard other.bytes.count == address.bytes.count else { return false }
        var remaining = prefixLength
        for index in address.bytes.indices where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if address.bytes[index] & mask != other.bytes[index] & mask { return false }
            remaining -= bits
        }
        return true
    }

    /// `address/length`, or the bare address for a single host.
    public var description: String {
        prefixLength == address.bytes.count * 8 ? address.description : "\(address)/\(prefixLength)"
    }
}
