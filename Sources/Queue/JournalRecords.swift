import Envelope
import Foundation

/// Keys of the journal's databases. All integers are big-endian so that LMDB's
/// byte order is numeric order.
enum JournalKey {
    /// `messages`: the message id.
    static func message(_ id: MessageID) -> [UInt8] { id.bytes }

    /// `bodies`: message id + chunk number.
    static func bodyChunk(_ id: MessageID, _ chunk: UInt32) -> [UInt8] {
        var key = id.bytes
        appendBigEndian(chunk, to: &key)
        return key
    }

    /// `recipients`: message id + recipient index.
    static func recipient(_ id: MessageID, _ index: UInt32) -> [UInt8] {
        var key = id.bytes
        appendBigEndian(index, to: &key)
        return key
    }

    /// `schedule`: due time in milliseconds + message id + recipient index.
    static func schedule(_ due: Date, _ id: MessageID, _ index: UInt32) -> [UInt8] {
        var key = [UInt8]()
        key.reserveCapacity(24)
        appendBigEndian(UInt64(bitPattern: due.journalMilliseconds) ^ signBit, to: &key)
        id.appendBytes(to: &key)
        appendBigEndian(index, to: &key)
        return key
    }

    /// `history`: completion time in milliseconds + message id.
    static func history(_ completed: Date, _ id: MessageID) -> [UInt8] {
        var key = [UInt8]()
        key.reserveCapacity(20)
        appendBigEndian(UInt64(bitPattern: completed.journalMilliseconds) ^ signBit, to: &key)
        id.appendBytes(to: &key)
        return key
    }

    /// The first key of the schedule or history at or after `date`.
    static func timePrefix(_ date: Date) -> [UInt8] {
        var key = [UInt8]()
        appendBigEndian(UInt64(bitPattern: date.journalMilliseconds) ^ signBit, to: &key)
        return key
    }

    /// Flipping the sign bit makes negative times sort before positive ones.
    private static let signBit: UInt64 = 1 << 63

    static func appendBigEndian<T: FixedWidthInteger>(_ value: T, to key: inout [UInt8]) {
        var bigEndian = value.bigEndian
        withUnsafeBytes(of: &bigEndian) { key.append(contentsOf: $0) }
    }

    static func readBigEndian<T: FixedWidthInteger>(_ type: T.Type, _ bytes: UnsafeRawBufferPointer, at offset: Int) -> T {
        var value: T = 0
        for index in offset..<(offset + MemoryLayout<T>.size) { value = value << 8 | T(bytes[index]) }
        return value
    }

    /// Splits a `schedule` key; nil when it has the wrong length.
    static func parseSchedule(_ key: UnsafeRawBufferPointer) -> (due: Date, id: MessageID, index: UInt32)? {
        guard key.count == 24, let id = MessageID(bytes: key[8..<20]) else { return nil }
        let millis = Int64(bitPattern: readBigEndian(UInt64.self, key, at: 0) ^ signBit)
        return (Date(journalMilliseconds: millis), id, readBigEndian(UInt32.self, key, at: 20))
    }

    /// Splits a `history` key; nil when it has the wrong length.
    static func parseHistory(_ key: UnsafeRawBufferPointer) -> (completed: Date, id: MessageID)? {
        guard key.count == 20, let id = MessageID(bytes: key[8..<20]) else { return nil }
        let millis = Int64(bitPattern: readBigEndian(UInt64.self, key, at: 0) ^ signBit)
        return (Date(journalMilliseconds: millis), id)
    }

    /// Splits a `recipients` or `bodies` key; nil when it has the wrong length.
    static func parseIndexed(_ key: UnsafeRawBufferPointer) -> (id: MessageID, index: UInt32)? {
        guard key.count == 16, let id = MessageID(bytes: key[0..<12]) else { return nil }
        return (id, readBigEndian(UInt32.self, key, at: 12))
    }
}

/// The stored form of a message's envelope: the `Envelope` plus the counts
/// that tie it to its recipient and body records.
struct MessageRecord: Hashable, Sendable {
    static let version: UInt8 = 1

    var envelope: Envelope
    var recipientCount: UInt32
    var bodyChunkCount: UInt32
    /// When every recipient reached a final state (then listed in `history`).
    var completed: Date?

    func encoded() -> [UInt8] {
        var writer = RecordWriter(version: Self.version)
        switch envelope.sender {
        case .null:
            writer.byte(0)
        case .mailbox(let address):
            writer.byte(1)
            writer.string(address.localPart)
            writer.string(address.domain)
        }
        writer.optionalString(envelope.envelopeID)
        writer.byte(envelope.ret?.rawValue ?? 0)
        writer.varint(UInt64(max(0, envelope.size)))
        writer.date(envelope.arrival)
        writer.date(envelope.expiry)
        writer.string(envelope.clientAddress)
        writer.string(envelope.heloName)
        writer.optionalString(envelope.authUser)
        writer.optionalString(envelope.listenerTag)
        writer.byte(envelope.flags.rawValue)
        writer.varint(UInt64(recipientCount))
        writer.varint(UInt64(bodyChunkCount))
        writer.optionalDate(completed)
        return writer.bytes
    }

    static func decode(id: MessageID, _ bytes: UnsafeRawBufferPointer) throws(RecordDecodingError) -> MessageRecord {
        var reader = try RecordReader(bytes, supportedVersions: 1...1)
        let sender: ReversePath
        switch try reader.byte() {
        case 0: sender = .null
        case 1: sender = .mailbox(MailAddress(localPart: try reader.string(), domain: try reader.string()))
        case let other: throw RecordDecodingError(reason: "bad sender kind \(other)", offset: reader.offset - 1)
        }
        let envelopeID = try reader.optionalString()
        let retByte = try reader.byte()
        let ret = DSNReturn(rawValue: retByte)
        guard retByte == 0 || ret != nil else { throw RecordDecodingError(reason: "bad RET \(retByte)", offset: reader.offset - 1) }
        let envelope = Envelope(
            id: id,
            sender: sender,
            envelopeID: envelopeID,
            ret: ret,
            size: try reader.int(),
            arrival: try reader.date(),
            expiry: try reader.date(),
            clientAddress: try reader.string(),
            heloName: try reader.string(),
            authUser: try reader.optionalString(),
            listenerTag: try reader.optionalString(),
            flags: Envelope.Flags(rawValue: try reader.byte())
        )
        let record = MessageRecord(
            envelope: envelope,
            recipientCount: UInt32(try reader.int(max: Int(UInt32.max))),
            bodyChunkCount: UInt32(try reader.int(max: Int(UInt32.max))),
            completed: try reader.optionalDate()
        )
        try reader.finish()
        return record
    }
}

/// The stored form of one recipient.
enum RecipientRecord {
    static let version: UInt8 = 1
    private static let notifyAbsent: UInt8 = 0xFF

    static func encode(_ recipient: Recipient) -> [UInt8] {
        var writer = RecordWriter(version: version)
        writer.string(recipient.address.localPart)
        writer.string(recipient.address.domain)
        if let original = recipient.originalRecipient {
            writer.byte(1)
            writer.string(original.addressType)
            writer.string(original.address)
        } else {
            writer.byte(0)
        }
        writer.byte(recipient.notify?.rawValue ?? notifyAbsent)
        writer.byte(recipient.state.rawValue)
        writer.varint(UInt64(recipient.attempts))
        writer.date(recipient.nextAttempt)
        writer.optionalDate(recipient.lastAttempt)
        if let status = recipient.lastStatus {
            writer.byte(1)
            writer.byte(status.statusClass)
            writer.varint(UInt64(status.subject))
            writer.varint(UInt64(status.detail))
        } else {
            writer.byte(0)
        }
        writer.optionalString(recipient.lastReply)
        writer.optionalString(recipient.remoteHost)
        writer.byte(recipient.delayWarned ? 1 : 0)
        return writer.bytes
    }

    static func decode(_ bytes: UnsafeRawBufferPointer) throws(RecordDecodingError) -> Recipient {
        var reader = try RecordReader(bytes, supportedVersions: 1...1)
        let address = MailAddress(localPart: try reader.string(), domain: try reader.string())
        let original: OriginalRecipient? =
            try reader.flag() ? OriginalRecipient(addressType: try reader.string(), address: try reader.string()) : nil
        let notifyByte = try reader.byte()
        let notify: DSNNotify? = notifyByte == notifyAbsent ? nil : DSNNotify(rawValue: notifyByte)
        let stateByte = try reader.byte()
        guard let state = RecipientState(rawValue: stateByte) else {
            throw RecordDecodingError(reason: "bad recipient state \(stateByte)", offset: reader.offset - 1)
        }
        let attempts = UInt32(try reader.int(max: Int(UInt32.max)))
        let nextAttempt = try reader.date()
        let lastAttempt = try reader.optionalDate()
        var lastStatus: EnhancedStatus?
        if try reader.flag() {
            lastStatus = EnhancedStatus(
                try reader.byte(),
                UInt16(try reader.int(max: 999)),
                UInt16(try reader.int(max: 999))
            )
        }
        let recipient = Recipient(
            address: address,
            originalRecipient: original,
            notify: notify,
            state: state,
            attempts: attempts,
            nextAttempt: nextAttempt,
            lastAttempt: lastAttempt,
            lastStatus: lastStatus,
            lastReply: try reader.optionalString(),
            remoteHost: try reader.optionalString(),
            delayWarned: try reader.flag()
        )
        try reader.finish()
        return recipient
    }
}
