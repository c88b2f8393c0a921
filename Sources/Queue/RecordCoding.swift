import Foundation

/// Appends the fields of a journal record in Tern's compact binary form:
/// unsigned LEB128 varints, zigzag varints for signed values, length-prefixed
/// UTF-8 strings and a presence byte before optional fields.
struct RecordWriter {
    private(set) var bytes: [UInt8] = []

    init(version: UInt8, capacity: Int = 128) {
        bytes.reserveCapacity(capacity)
        bytes.append(version)
    }

    mutating func byte(_ value: UInt8) { bytes.append(value) }

    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    mutating func signed(_ value: Int64) {
        varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    mutating func string(_ value: String) {
        let utf8 = value.utf8
        varint(UInt64(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    mutating func optionalString(_ value: String?) {
        guard let value else { return byte(0) }
        byte(1)
        string(value)
    }

    /// Length-prefixed raw bytes.
    mutating func blob(_ value: some Collection<UInt8>) {
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func date(_ value: Date) { signed(value.journalMilliseconds) }

    mutating func optionalDate(_ value: Date?) {
        guard let value else { return byte(0) }
        byte(1)
        date(value)
    }
}

/// Why a journal record could not be decoded.
public struct RecordDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What was wrong, e.g. `unsupported record version 9`.
    public let reason: String
    /// The byte offset within the record where decoding stopped.
    public let offset: Int

    public var description: String { "\(reason) at byte \(offset)" }
}

/// Reads the fields written by `RecordWriter`, throwing on any malformed or
/// truncated input; it never traps.
struct RecordReader {
    private let bytes: UnsafeRawBufferPointer
    private(set) var offset = 0

    /// Starts reading `bytes`, checking the leading version byte.
    init(_ bytes: UnsafeRawBufferPointer, supportedVersions: ClosedRange<UInt8>) throws(RecordDecodingError) {
        self.bytes = bytes
        let version = try byte()
        guard supportedVersions.contains(version) else {
            throw RecordDecodingError(reason: "unsupported record version \(version)", offset: 0)
        }
    }

    var isAtEnd: Bool { offset == bytes.count }

    private func fail(_ reason: String) -> RecordDecodingError {
        RecordDecodingError(reason: reason, offset: offset)
    }

    mutating func byte() throws(RecordDecodingError) -> UInt8 {
        guard offset < bytes.count else { throw fail("record truncated") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func varint() throws(RecordDecodingError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let next = try byte()
            guard shift < 64, shift < 63 || next & 0x7E == 0 else { throw fail("varint overflows 64 bits") }
            result |= UInt64(next & 0x7F) << shift
            if next & 0x80 == 0 { return result }
            shift += 7
        }
    }

    mutating func int(max: Int = .max) throws(RecordDecodingError) -> Int {
        let value = try varint()
        guard value <= UInt64(max) else { throw fail("value \(value) out of range") }
        return Int(value)
    }

    mutating func signed() throws(RecordDecodingError) -> Int64 {
        let raw = try varint()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    mutating func string() throws(RecordDecodingError) -> String {
        let count = try int()
        guard count <= bytes.count - offset, let base = bytes.baseAddress else {
            if count == 0 { return "" }
            throw fail("string of \(count) bytes overruns the record")
        }
        let slice = UnsafeRawBufferPointer(start: base + offset, count: count)
        guard let value = String(validating: slice, as: UTF8.self) else { throw fail("invalid UTF-8 in string") }
        offset += count
        return value
    }

    /// Raw bytes written by `RecordWriter.blob`.
    mutating func blob() throws(RecordDecodingError) -> [UInt8] {
        let count = try int()
        guard count <= bytes.count - offset else { throw fail("blob of \(count) bytes overruns the record") }
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    mutating func flag() throws(RecordDecodingError) -> Bool {
        switch try byte() {
        case 0: return false
        case 1: return true
        case let other: throw fail("bad presence byte \(other)")
        }
    }

    mutating func optionalString() throws(RecordDecodingError) -> String? {
        try flag() ? try string() : nil
    }

    mutating func date() throws(RecordDecodingError) -> Date {
        Date(journalMilliseconds: try signed())
    }

    mutating func optionalDate() throws(RecordDecodingError) -> Date? {
        try flag() ? try date() : nil
    }

    /// Fails unless every byte was consumed.
    func finish() throws(RecordDecodingError) {
        guard isAtEnd else { throw fail("\(bytes.count - offset) trailing bytes") }
    }
}

extension Date {
    /// Whole milliseconds since 1970, the journal's time resolution.
    var journalMilliseconds: Int64 {
        let value = (timeIntervalSince1970 * 1000).rounded(.down)
        return value.isFinite ? Int64(clamping: Int(exactly: value.clamped(to: -9.2e18...9.2e18)) ?? 0) : 0
    }

    init(journalMilliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(journalMilliseconds) / 1000)
    }
}

extension Comparable {
    fileprivate func clamped(to range: ClosedRange<Self>) -> Self {
        min(max(self, range.lowerBound), range.upperBound)
    }
}
