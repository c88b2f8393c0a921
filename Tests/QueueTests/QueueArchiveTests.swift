import Envelope
import Foundation
import Testing
import TestSupport
@testable import Queue

@Suite("QueueArchive")
struct QueueArchiveTests {
    static func archived(_ message: NewMessage, completed: Date? = nil) -> ArchivedMessage {
        ArchivedMessage(QueuedMessage(envelope: message.envelope, recipients: message.recipients, completed: completed))
    }

    static func bytes(of message: NewMessage) -> [UInt8] {
        guard case .bytes(let bytes) = message.body else { return [] }
        return bytes
    }

    /// Bodies that a line-based format would break.
    static let awkwardBodies: [[UInt8]] = [
        Array(0...255),
        Array("Subject: x\r\n\r\nEND 0\nMESSAGE 1 1\n\r\n.\r\n".utf8),
        Array("caf\u{E9} \u{1F600}\r\n".utf8) + [0xFF, 0xFE, 0x0D, 0x0A, 0x0A, 0x0D],
        [],
    ]

    @Test("messages with binary, 8-bit and marker-like bodies survive a round trip", arguments: awkwardBodies)
    func roundTrip(body: [UInt8]) throws {
        var message = makeMessage(recipients: ["a@example.test", "\"odd name\"@example.test"], body: body)
        message.recipients[1].state = .delivered
        message.recipients[1].lastStatus = EnhancedStatus(2, 0, 0)
        message.recipients[1].lastReply = "250 ok"
        message.recipients[1].lastAttempt = baseTime
        message.envelope.authUser = "alice"
        message.envelope.flags = [.smtpUTF8, .fromLocal, .suppressReports]
        let metadata = Self.archived(message)
        #expect(metadata.flags == ["smtputf8", "local", "no-dsn"])
        let archive = try QueueArchive.encode([(metadata, body)])
        let decoded = try QueueArchive.decode(archive)
        #expect(decoded.count == 1)
        #expect(decoded[0].0 == metadata)
        #expect(decoded[0].1 == body)
        let restored = try decoded[0].0.queuedMessage()
        #expect(restored.envelope == message.envelope)
        #expect(restored.recipients == message.recipients)
    }

    @Test("the decoder gives the same result fed one byte at a time")
    func byteAtATime() throws {
        let first = makeMessage(body: Array(0...255))
        let second = makeMessage(recipients: ["x@y.test"], body: Array("hi\r\n".utf8))
        let archive = try QueueArchive.encode([(Self.archived(first), Self.bytes(of: first)), (Self.archived(second), Self.bytes(of: second))])
        var decoder = QueueArchiveDecoder()
        var bodies: [[UInt8]] = []
        var ids: [String] = []
        var ended = false
        for byte in archive {
            decoder.feed([byte])
            while let event = try decoder.next() {
                switch event {
                case .message(let metadata):
                    ids.append(metadata.id)
                    bodies.append([])
                case .bodyChunk(let chunk): bodies[bodies.count - 1] += chunk
                case .messageEnd: break
                case .end: ended = true
                }
            }
        }
        try decoder.finish()
        #expect(ended)
        #expect(ids == [first.envelope.id.description, second.envelope.id.description])
        #expect(bodies == [Self.bytes(of: first), Self.bytes(of: second)])
    }

    @Test("a truncated archive names the message and the offset")
    func truncated() throws {
        let first = makeMessage()
        let second = makeMessage()
        let archive = try QueueArchive.encode([(Self.archived(first), Self.bytes(of: first)), (Self.archived(second), Self.bytes(of: second))])
        let cut = Array(archive.dropLast(12))
        let error = #expect(throws: QueueArchiveError.self) { try QueueArchive.decode(cut) }
        #expect(error?.code == .truncated)
        #expect(error?.messageIndex == 1)
        #expect(error?.messageID == second.envelope.id.description)
        #expect(error?.offset == cut.count)
        let noEnd = Array(archive.dropLast(QueueArchive.trailer(messageCount: 2).count))
        #expect((#expect(throws: QueueArchiveError.self) { try QueueArchive.decode(noEnd) })?.code == .truncated)
    }

    @Test("framing and metadata errors are distinct and located")
    func malformed() throws {
        let message = makeMessage()
        let good = try QueueArchive.encode([(Self.archived(message), Self.bytes(of: message))])
        let notArchive = #expect(throws: QueueArchiveError.self) { try QueueArchive.decode(Array("From alice\n".utf8)) }
        #expect(notArchive?.code == .malformed)
        #expect(notArchive?.offset == 0)
        let future = #expect(throws: QueueArchiveError.self) { try QueueArchive.decode(Array("TERN-ARCHIVE 9\nEND 0\n".utf8)) }
        #expect(future?.code == .unsupportedVersion)
        var badJSON = good
        let metadataStart = QueueArchive.header().count + Array("MESSAGE ".utf8).count
        let headerEnd = good[metadataStart...].firstIndex(of: UInt8(ascii: "\n"))! + 1
        badJSON[headerEnd] = UInt8(ascii: "[")
        let invalid = #expect(throws: QueueArchiveError.self) { try QueueArchive.decode(badJSON) }
        #expect(invalid?.code == .invalidMessage)
        #expect(invalid?.messageIndex == 0)
        #expect(invalid?.offset == headerEnd)
        var badCount = good
        badCount.removeLast(2)
        badCount += Array("7\n".utf8)
        #expect((#expect(throws: QueueArchiveError.self) { try QueueArchive.decode(badCount) })?.code == .malformed)
    }

    @Test("mutated and truncated archives are refused or read, never trap")
    func mutations() throws {
        let message = makeMessage(recipients: ["a@example.test", "b@example.test"], body: Array(0...255))
        let archive = try QueueArchive.encode([(Self.archived(message), Self.bytes(of: message))])
        var generator = SeededGenerator(seed: 0xA4C1_17E5)
        func next(_ bound: Int) -> Int { Int.random(in: 0..<max(1, bound), using: &generator) }
        var refused = 0
        for round in 0..<2000 {
            var mutated = archive
            if round % 7 == 0 {
                // A huge declared length: nothing may be allocated on its word.
                let lengthStart = QueueArchive.header().count + "MESSAGE ".utf8.count
                mutated.replaceSubrange(lengthStart..<lengthStart + 1, with: Array("99999999999999999".utf8))
            }
            for _ in 0...next(4) { mutated[next(mutated.count)] = UInt8(next(256)) }
            if round % 3 == 0 { mutated.removeLast(next(mutated.count)) }
            do {
                for (metadata, _) in try QueueArchive.decode(mutated) { _ = try? metadata.queuedMessage() }
            } catch {
                refused += 1
            }
        }
        #expect(refused > 1000)
    }

    @Test("metadata that does not describe a message is refused field by field")
    func invalidMetadata() throws {
        var metadata = Self.archived(makeMessage())
        metadata.recipients[0].state = "lost"
        #expect(throws: QueueArchiveError.self) { try metadata.queuedMessage() }
        metadata = Self.archived(makeMessage())
        metadata.id = "nope"
        let error = #expect(throws: QueueArchiveError.self) { try metadata.queuedMessage() }
        #expect(error?.detail.contains("not a message id") == true)
    }
}
