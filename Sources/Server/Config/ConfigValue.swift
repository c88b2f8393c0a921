/// The scalar value syntaxes of the configuration language, parsed and printed.
///
/// - Integers: decimal digits only (`1000`), no sign.
/// - Durations: an integer with a unit, `s` (seconds), `m` (minutes), `h`
///   (hours), `d` (days), `w` (weeks); a bare integer is seconds
///   (`30s 5m 4h 4d 1w 90`). At most ``maximumDuration`` (3650 days).
/// - Sizes: an integer with an optional `K`, `M` or `G` (1024-based, either
///   case): `512 64K 35M 1G`. Larger than `Int.max` bytes is an error.
/// - Ranges: `MIN..MAX` of durations (`5m..1h`).
/// - Rates: `N/s`, `N/m`, `N/h`.
enum ConfigValue {
    /// Why a value did not parse.
    enum Problem: Error, Hashable {
        /// Not the right syntax at all.
        case malformed
        /// The right syntax, but past the largest allowed value.
        case tooLarge
    }

    /// The longest duration accepted: 3650 days, so that backoff arithmetic on it cannot overflow.
    static let maximumDuration: Duration = .seconds(3650 * 86_400)

    private static let durationUnits: [(suffix: Character, seconds: Int64)] = [
        ("w", 604_800), ("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1),
    ]

    private static let sizeUnits: [(suffix: Character, bytes: Int)] = [
        ("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10),
    ]

    /// A non-negative decimal integer, or `.tooLarge` past `Int.max`.
    static func integer(_ text: Substring) -> Result<Int, Problem> {
        guard !text.isEmpty, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return .failure(.malformed) }
        guard let value = Int(text) else { return .failure(.tooLarge) }
        return .success(value)
    }

    /// A duration such as `5m`, or a bare number of seconds.
    static func duration(_ text: String) -> Result<Duration, Problem> {
        var digits = Substring(text)
        var multiplier: Int64 = 1
        if let last = digits.last, let unit = durationUnits.first(where: { $0.suffix == last }) {
            digits = digits.dropLast()
            multiplier = unit.seconds
        }
        switch integer(digits) {
        case .failure(let problem):
            return .failure(problem)
        case .success(let count):
            let (seconds, overflow) = Int64(count).multipliedReportingOverflow(by: multiplier)
            guard !overflow, seconds <= maximumDuration.components.seconds else { return .failure(.tooLarge) }
            return .success(.seconds(seconds))
        }
    }

    /// A size in bytes such as `35M`.
    static func size(_ text: String) -> Result<Int, Problem> {
        var digits = Substring(text)
        var multiplier = 1
        if let last = digits.last, let unit = sizeUnits.first(where: { $0.suffix == last || Character($0.suffix.lowercased()) == last }) {
            digits = digits.dropLast()
            multiplier = unit.bytes
        }
        switch integer(digits) {
        case .failure(let problem):
            return .failure(problem)
        case .success(let count):
            let (bytes, overflow) = count.multipliedReportingOverflow(by: multiplier)
            return overflow ? .failure(.tooLarge) : .success(bytes)
        }
    }

    /// `MIN..MAX`, or a single duration meaning both.
    static func durationRange(_ text: String) -> Result<(Duration, Duration), Problem> {
        let bounds = text.ranges(of: "..")
        guard let separator = bounds.first else {
            return duration(text).map { ($0, $0) }
        }
        guard bounds.count == 1 else { return .failure(.malformed) }
        let lower = duration(String(text[..<separator.lowerBound]))
        let upper = duration(String(text[separator.upperBound...]))
        switch (lower, upper) {
        case (.success(let minimum), .success(let maximum)): return .success((minimum, maximum))
        case (.failure(.malformed), _), (_, .failure(.malformed)): return .failure(.malformed)
        default: return .failure(.tooLarge)
        }
    }

    /// `N/s`, `N/m` or `N/h`.
    static func rate(_ text: String) -> Result<(Int, DeliveryLimitsConfig.RateUnit), Problem> {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let unit = DeliveryLimitsConfig.RateUnit(rawValue: String(parts[1])) else {
            return .failure(.malformed)
        }
        return integer(parts[0]).map { ($0, unit) }
    }

    /// The duration in the largest unit that divides it exactly: `5m`, `4d`, `1w`, `0s`.
    static func format(_ duration: Duration) -> String {
        let seconds = duration.components.seconds
        guard seconds > 0 else { return "0s" }
        for unit in durationUnits where seconds % unit.seconds == 0 {
            return "\(seconds / unit.seconds)\(unit.suffix)"
        }
        return "\(seconds)s"
    }

    /// The size in the largest unit that divides it exactly: `35M`, `16G`, `512`.
    static func format(size bytes: Int) -> String {
        guard bytes > 0 else { return "0" }
        for unit in sizeUnits where bytes % unit.bytes == 0 {
            return "\(bytes / unit.bytes)\(unit.suffix)"
        }
        return "\(bytes)"
    }

    /// Whether `text` is a plausible host or domain name: dot-separated labels of
    /// letters, digits, `-` and `_` (non-ASCII letters allowed), at most 253 characters.
    static func isHostName(_ text: String) -> Bool {
        guard (1...253).contains(text.count) else { return false }
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            (1...63).contains(label.count)
                && label.unicodeScalars.allSatisfy { scalar in
                    switch scalar {
                    case "a"..."z", "A"..."Z", "0"..."9", "-", "_": true
                    default: scalar.value >= 0xA0
                    }
                }
        }
    }

    /// Whether `text` may name a table, pki, action, tag or macro: letters, digits, `_`, `-`, `.`.
    static func isName(_ text: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy(ConfigLexer.isNameScalar)
    }
}
