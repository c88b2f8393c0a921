import Envelope
import Foundation

/// The stored form of a quarantined message (`quarantine` database, keyed by
/// message id): why and when it was quarantined, and its message and
/// recipient records byte for byte, as they were in the live databases.
struct QuarantineRecord: Sendable {
    static let version: UInt8 = 1

    var reason: String
    var quarantined: Date
    /// The `messages` value, when there was one.
    var messageRecord: [UInt8]?
    /// The `recipients` values by recipient index.
    var recipientRecords: [(index: UInt32, bytes: [UInt8])]

    func encoded() -> [UInt8] {
        var writer = RecordWriter(version: Self.version)
        writer.string(reason)
        writer.date(quarantined)
        if let messageRecord {
            writer.byte(1)
            writer.blob(messageRecord)
        } else {
            writer.byte(0)
        }
        writer.varint(UInt64(recipientRecords.count))
        for entry in recipientRecords {
            writer.varint(UInt64(entry.index))
            writer.blob(entry.bytes)
        }
        return writer.bytes
    }

    static func decode(_ bytes: UnsafeRawBufferPointer) throws(RecordDecodingError) -> QuarantineRecord {
        var reader = try RecordReader(bytes, supportedVersions: 1...1)
        let reason = try reader.string()
        let quarantined = try reader.date()
        let messageRecord = try reader.flag() ? try reader.blob() : nil
        let count = try reader.int(max: bytes.count)
        var recipients: [(index: UInt32, bytes: [UInt8])] = []
        for _ in 0..<count {
            let index = UInt32(try reader.int(max: Int(UInt32.max)))
            recipients.append((index, try reader.blob()))
        }
        try reader.finish()
        return QuarantineRecord(reason: reason, quarantined: quarantined, messageRecord: messageRecord, recipientRecords: recipients)
    }
}
