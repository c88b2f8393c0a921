import Envelope
import Foundation
import Testing

@testable import Queue
@testable import Server

@Suite("DeliveryGroup")
struct DeliveryGroupTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let body = Array("Subject: x\r\n\r\ny\r\n".utf8)

    static let message: QueuedMessage = {
        let envelope = Envelope(
            id: MessageIDGenerator().next(now: now), sender: .mailbox(MailAddress(localPart: "alice", domain: "sender.test")),
            size: body.count, arrival: now, expiry: now.addingTimeInterval(3600), clientAddress: "192.0.2.1", heloName: "client.test"
        )
        let recipients = ["a.test", "b.test", "b.test", "c.test"].map { Recipient(address: MailAddress(localPart: "x", domain: $0), nextAttempt: now) }
        return QueuedMessage(envelope: envelope, recipients: recipients)
    }()

    static func batch(_ domain: String, _ indices: [UInt32]) -> DeliveryBatch {
        DeliveryBatch(message: message, route: .unroutable("test"), domain: domain, indices: indices)
    }

    static func rejected(_ index: UInt32) -> DeliveryResult {
        .failed(index, .permanent(.mailboxUnknown, "550 5.1.1 no such user"))
    }

    @Test("completes only when its last batch finishes, keeping every attempt in finishing order")
    func completesWithLastBatch() {
        var group = DeliveryGroup(message: Self.message, batches: 3)
        let complete1 = group.finish(Self.batch("b.test", [1, 2]), results: [Self.rejected(1), Self.rejected(2)], body: Self.body, at: Self.now)
        #expect(!complete1)
        let complete2 = group.finish(Self.batch("a.test", [0]), results: [Self.rejected(0)], body: Self.body, at: Self.now.addingTimeInterval(1))
        #expect(!complete2)
        #expect(!group.isComplete)
        let complete3 = group.finish(Self.batch("c.test", [3]), results: [.delivered(3, "250 ok")], body: Self.body, at: Self.now.addingTimeInterval(2))
        #expect(complete3)
        #expect(group.isComplete)
        #expect(group.attempts.map(\.batch.domain) == ["b.test", "a.test", "c.test"])
        #expect(group.attempts.map(\.finished) == [0, 1, 2].map { Self.now.addingTimeInterval($0) })
        #expect(group.attemptedIndices == [0, 1, 2, 3])
        #expect(group.body == Self.body)
    }

    @Test("an abandoned batch counts out without results; the others still complete the group")
    func abandonedMember() {
        var group = DeliveryGroup(message: Self.message, batches: 2)
        let complete4 = group.abandon()
        #expect(!complete4)
        let complete5 = group.finish(Self.batch("b.test", [1, 2]), results: [Self.rejected(1), Self.rejected(2)], body: Self.body, at: Self.now)
        #expect(complete5)
        #expect(group.attemptedIndices == [1, 2])
        #expect(group.attempts.count == 1)
    }

    @Test("a group whose last batch is abandoned completes with what was attempted")
    func abandonedLast() {
        var group = DeliveryGroup(message: Self.message, batches: 2)
        let complete6 = group.finish(Self.batch("a.test", [0]), results: [Self.rejected(0)], body: Self.body, at: Self.now)
        #expect(!complete6)
        let complete7 = group.abandon()
        #expect(complete7)
        #expect(group.attemptedIndices == [0])
    }

    @Test("a group whose every batch was abandoned completes with nothing to record")
    func allAbandoned() {
        var group = DeliveryGroup(message: Self.message, batches: 2)
        let complete8 = group.abandon()
        #expect(!complete8)
        let complete9 = group.abandon()
        #expect(complete9)
        #expect(group.attempts.isEmpty)
        #expect(group.body == nil)
    }
}
