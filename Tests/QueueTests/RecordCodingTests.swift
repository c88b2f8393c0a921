import Envelope
import Foundation
import Testing
@testable import Queue

@Suite("Journal records")
struct RecordCodingTests {
    static let recipients: [Recipient] = [
        Recipient(address: MailAddress(localPart: "a", domain: "b.test"), nextAttempt: baseTime),
        Recipient(
            address: MailAddress(localPart: "Ünïcode \"quoted\"", domain: "例え.jp"),
            originalRecipient: OriginalRecipient(addressType: "utf-8", address: "Ünïcode@例え.jp"),
            notify: [],
            state: .failed,
            attempts: 12,
            nextAttempt: Date(timeIntervalSince1970: -1.5),
            lastAttempt: baseTime,
            lastStatus: EnhancedStatus(5, 1, 1),
            lastReply: "550 5.1.1 no such user",
            remoteHost: "mx.b.test[127.0.0.2]",
            delayWarned: true
        ),
        Recipient(address: MailAddress(localPart: "c", domain: "[127.0.0.1]"), notify: [.success, .failure, .delay], state: .held, attempts: .max, nextAttempt: .distantFuture.addingTimeInterval(0)),
    ]

    @Test("recipient records round-trip", arguments: recipients)
    func recipientRoundTrip(recipient: Recipient) throws {
        let bytes = RecipientRecord.encode(recipient)
        let decoded = try bytes.withUnsafeBytes { try RecipientRecord.decode($0) }
        #expect(decoded.address == recipient.address)
        #expect(decoded.state == recipient.state)
        #expect(decoded.notify == recipient.notify)
        #expect(decoded.originalRecipient == recipient.originalRecipient)
        #expect(decoded.attempts == recipient.attempts)
        #expect(decoded.lastStatus == recipient.lastStatus)
        #expect(decoded.lastReply == recipient.lastReply)
        #expect(decoded.remoteHost == recipient.remoteHost)
        #expect(decoded.delayWarned == recipient.delayWarned)
        #expect(decoded.nextAttempt.journalMilliseconds == recipient.nextAttempt.journalMilliseconds)
        #expect(RecipientRecord.encode(decoded) == bytes)
    }

    @Test("message records round-trip")
    func messageRoundTrip() throws {
        let message = makeMessage()
        let record = MessageRecord(envelope: message.envelope, recipientCount: 3, bodyChunkCount: 2, completed: baseTime)
        let decoded = try record.encoded().withUnsafeBytes { try MessageRecord.decode(id: message.envelope.id, $0) }
        #expect(decoded == record)
        var nullSender = message.envelope
        nullSender.sender = .null
        nullSender.flags = [.isDSN, .fromLocal, .isPostmasterNotice]
        let second = MessageRecord(envelope: nullSender, recipientCount: 1, bodyChunkCount: 1, completed: nil)
        #expect(try second.encoded().withUnsafeBytes { try MessageRecord.decode(id: nullSender.id, $0) } == second)
    }

    @Test("every truncation of a record is an error, never a trap")
    func truncations() {
        let message = makeMessage()
        let messageBytes = MessageRecord(envelope: message.envelope, recipientCount: 1, bodyChunkCount: 1, completed: nil).encoded()
        for length in 0..<messageBytes.count {
            let prefix = Array(messageBytes[0..<length])
            #expect(throws: RecordDecodingError.self) {
                try prefix.withUnsafeBytes { _ = try MessageRecord.decode(id: message.envelope.id, $0) }
            }
        }
        let recipientBytes = RecipientRecord.encode(Self.recipients[1])
        for length in 0..<recipientBytes.count {
            let prefix = Array(recipientBytes[0..<length])
            #expect(throws: RecordDecodingError.self) {
                try prefix.withUnsafeBytes { _ = try RecipientRecord.decode($0) }
            }
        }
    }

    @Test("random bytes and flipped bytes never trap")
    func randomBytes() {
        var generator = SystemRandomNumberGenerator()
        let valid = RecipientRecord.encode(Self.recipients[1])
        for round in 0..<5_000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int.random(in: 0...64, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                bytes.insert(1, at: 0)
            } else {
                bytes = valid
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            _ = try? bytes.withUnsafeBytes { try RecipientRecord.decode($0) }
            _ = try? bytes.withUnsafeBytes { try MessageRecord.decode(id: MessageID(time: 1, salt: 1), $0) }
        }
    }

    @Test("an unknown version is named in the error")
    func unknownVersion() {
        var bytes = RecipientRecord.encode(Self.recipients[0])
        bytes[0] = 9
        #expect(throws: RecordDecodingError(reason: "unsupported record version 9", offset: 0)) {
            try bytes.withUnsafeBytes { _ = try RecipientRecord.decode($0) }
        }
    }

    @Test("varints reject more than 64 bits")
    func varintOverflow() {
        let bytes: [UInt8] = [1] + Array(repeating: 0xFF, count: 10) + [0x01]
        #expect(throws: RecordDecodingError.self) {
            try bytes.withUnsafeBytes { raw in
                var reader = try RecordReader(raw, supportedVersions: 1...1)
                _ = try reader.varint()
            }
        }
    }

    @Test("schedule keys sort by time, including times before 1970")
    func scheduleKeyOrder() {
        let id = MessageID(time: 5, salt: 5)
        let times = [-10_000.0, -1, 0, 1, 1_790_000_000, 4_000_000_000].map { Date(timeIntervalSince1970: $0) }
        let keys = times.map { JournalKey.schedule($0, id, 0) }
        #expect(keys == keys.sorted { $0.lexicographicallyPrecedes($1) })
        let parsed = keys.map { key in key.withUnsafeBytes { JournalKey.parseSchedule($0)!.due } }
        #expect(parsed == times)
    }
}
