/// Puts the MX records of a domain in the order to try them (RFC 5321 §5.1):
/// by preference, lowest first, with hosts of equal preference in random
/// order so that load spreads over them.
///
/// A null MX (RFC 7505: one MX whose exchange is the root, `MX 0 .`) means
/// the domain accepts no mail. A root exchange beside other MX records
/// breaks RFC 7505 §3; it is skipped and the other hosts are used. A host
/// listed twice is tried once, at its lowest preference.
enum MXOrdering {
    /// One MX host in the result.
    struct Exchange: Hashable, Sendable {
        let name: String
        let preference: Int
    }

    /// The MX hosts among `records` (other types are ignored), ordered.
    ///
    /// - Throws: `DNSError.nullMX` for a null MX, and a malformed-answer
    ///   error when `records` holds no MX at all.
    static func order(
        _ records: [DNSRecord], domain: String, using generator: inout some RandomNumberGenerator
    ) throws(DNSError) -> [Exchange] {
        let exchanges = records.compactMap { record -> Exchange? in
            guard case .mx(let preference, let name) = record else { return nil }
            return Exchange(name: name, preference: preference)
        }
        guard !exchanges.isEmpty else { throw .malformedAnswer(domain, recordType: .mx) }
        if exchanges.allSatisfy({ $0.name.isEmpty }) {
            throw .nullMX(domain)
        }
        var lowest: [String: Exchange] = [:]
        for exchange in exchanges where !exchange.name.isEmpty {
            let key = exchange.name.lowercased()
            if let seen = lowest[key], seen.preference <= exchange.preference { continue }
            lowest[key] = exchange
        }
        let byPreference = Dictionary(grouping: lowest.values, by: \.preference)
        return byPreference.keys.sorted().flatMap { preference in
            // Sorting first makes the shuffle depend only on the generator, not on hash order.
            byPreference[preference, default: []].sorted { $0.name < $1.name }.shuffled(using: &generator)
        }
    }
}
