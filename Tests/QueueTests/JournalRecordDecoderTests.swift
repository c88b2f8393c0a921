import Envelope
import Foundation
import Queue
import Testing

@Suite("JournalRecordDecoder")
struct JournalRecordDecoderTests {
    /// A file of the fuzz target's seed corpus, without its selector byte.
    static func seed(_ name: String) throws -> [UInt8] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let bytes = try Data(contentsOf: root.appendingPathComponent("Fuzz/Corpus/FuzzJournalRecords/\(name)"))
        return Array(bytes.dropFirst())
    }

    @Test("the fuzz seeds are valid records, so fuzzing starts from real ones")
    func seeds() throws {
        let message = try JournalRecordDecoder.decodeMessage(id: MessageID(time: 1, salt: 2), try Self.seed("message"))
        #expect(message.sender == .mailbox(MailAddress(localPart: "alice", domain: "example.org")))
        #expect(message.envelopeID == "QQ314159")
        #expect(message.size == 389)
        let null = try JournalRecordDecoder.decodeMessage(id: MessageID(time: 1, salt: 2), try Self.seed("message-null-sender"))
        #expect(null.sender == .null)
        let recipient = try JournalRecordDecoder.decodeRecipient(try Self.seed("recipient"))
        #expect(recipient.address == MailAddress(localPart: "bob", domain: "example.com"))
        #expect(recipient.state == .scheduled && recipient.attempts == 2)
        #expect(recipient.lastReply == "451 4.4.1 try later")
        for key in ["schedule-key", "history-key", "indexed-key"] {
            #expect(JournalRecordDecoder.isWellFormedKey(try Self.seed(key)), "\(key)")
        }
    }

    @Test("truncated, unknown-version and trailing-byte records throw with a reason")
    func malformed() throws {
        let recipient = try Self.seed("recipient")
        #expect(throws: RecordDecodingError.self) { try JournalRecordDecoder.decodeRecipient(Array(recipient.dropLast())) }
        #expect(throws: RecordDecodingError.self) { try JournalRecordDecoder.decodeRecipient([9] + recipient.dropFirst()) }
        #expect(throws: RecordDecodingError.self) { try JournalRecordDecoder.decodeRecipient(recipient + [0]) }
        #expect(throws: RecordDecodingError.self) { try JournalRecordDecoder.decodeMessage(id: MessageID(time: 1, salt: 2), []) }
        #expect(!JournalRecordDecoder.isWellFormedKey([1, 2, 3]))
    }
}
