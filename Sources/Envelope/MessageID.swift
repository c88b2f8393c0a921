import Foundation
import Synchronization

/// A message's identity in the journal, logs, `Received` headers and tools.
///
/// Twelve bytes: a 64-bit microsecond timestamp (big-endian, strictly
/// increasing within a process) followed by a 32-bit random salt drawn once per
/// generator, so ids sort by arrival and stay unique across restarts even if
/// the clock steps back. Printed as 20 lower-case Crockford base32 characters,
/// whose order is the byte order: `06f3q2k1x8b0mzr4t7cd`.
public struct MessageID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The number of bytes in the binary form.
    public static let byteCount = 12

    /// The 64-bit time part: microseconds since 1970.
    public let time: UInt64
    /// The 32-bit salt that separates generators (processes).
    public let salt: UInt32

    public init(time: UInt64, salt: UInt32) {
        self.time = time
        self.salt = salt
    }

    /// The moment the id was made.
    public var date: Date { Date(timeIntervalSince1970: Double(time) / 1_000_000) }

    /// The big-endian binary form, as used for journal keys.
    public var bytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(Self.byteCount)
        appendBytes(to: &out)
        return out
    }

    /// Appends the binary form to `buffer`.
    public func appendBytes(to buffer: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { buffer.append(UInt8(truncatingIfNeeded: time >> UInt64(shift))) }
        for shift in stride(from: 24, through: 0, by: -8) { buffer.append(UInt8(truncatingIfNeeded: salt >> UInt32(shift))) }
    }

    /// Reads the binary form; nil unless `bytes` holds exactly twelve bytes.
    @inlinable
    public init?<C: Collection>(bytes: C) where C.Element == UInt8 {
        guard bytes.count == Self.byteCount else { return nil }
        var time: UInt64 = 0
        var salt: UInt32 = 0
        var index = bytes.startIndex
        for _ in 0..<8 {
            time = time << 8 | UInt64(bytes[index])
            bytes.formIndex(after: &index)
        }
        for _ in 0..<4 {
            salt = salt << 8 | UInt32(bytes[index])
            bytes.formIndex(after: &index)
        }
        self.init(time: time, salt: salt)
    }

    private static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)

    /// The 96-bit value followed by four zero bits: twenty five-bit groups.
    private var paddedValue: UInt128 { (UInt128(time) << 36) | (UInt128(salt) << 4) }

    /// The 20-character base32 text form.
    public var description: String {
        let value = paddedValue
        var chars = [UInt8](repeating: 0, count: 20)
        for index in 0..<20 {
            let group = Int((value >> UInt128(5 * (19 - index))) & 31)
            chars[index] = Self.alphabet[group]
        }
        return String(decoding: chars, as: UTF8.self)
    }

    /// Parses the 20-character text form (case-insensitive); nil if malformed.
    public init?(_ text: some StringProtocol) {
        let utf8 = Array(text.utf8)
        guard utf8.count == 20 else { return nil }
        var value: UInt128 = 0
        for char in utf8 {
            let lowered = (char >= 65 && char <= 90) ? char + 32 : char
            guard let digit = Self.alphabet.firstIndex(of: lowered) else { return nil }
            value = value << 5 | UInt128(digit)
        }
        guard value & 15 == 0 else { return nil }
        self.init(time: UInt64(truncatingIfNeeded: value >> 36), salt: UInt32(truncatingIfNeeded: value >> 4))
    }

    public static func < (lhs: MessageID, rhs: MessageID) -> Bool {
        (lhs.time, lhs.salt) < (rhs.time, rhs.salt)
    }
}

/// Makes strictly increasing message ids; safe to share between threads.
public final class MessageIDGenerator: Sendable {
    private let salt: UInt32
    private let last = Mutex<UInt64>(0)

    /// A generator with a fresh random salt.
    public init(salt: UInt32 = .random(in: .min ... .max)) {
        self.salt = salt
    }

    /// A new id, later than every id this generator made before.
    public func next(now: Date = Date()) -> MessageID {
        let micros = UInt64(max(0, now.timeIntervalSince1970 * 1_000_000))
        let time = last.withLock { last in
            last = max(micros, last + 1)
            return last
        }
        return MessageID(time: time, salt: salt)
    }
}
