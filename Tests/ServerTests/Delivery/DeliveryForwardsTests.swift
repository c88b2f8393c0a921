import Envelope
import Foundation
import Queue
import Testing

@testable import Server

@Suite("DeliveryForwards")
struct DeliveryForwardsTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let envelope = Envelope(
        id: MessageIDGenerator().next(now: now), sender: .mailbox(MailAddress(localPart: "alice", domain: "sender.test")),
        envelopeID: "env-1", ret: .headers, size: 10, arrival: now, expiry: now.addingTimeInterval(3600),
        clientAddress: "192.0.2.1", heloName: "client.test", flags: [.eightBitMIME]
    )
    static let forwards = DeliveryForwards(configuration: Configuration(hostname: "mx.test"), ids: MessageIDGenerator())

    static func recipient(notify: DSNNotify?, orcpt: OriginalRecipient? = nil) -> Recipient {
        Recipient(address: MailAddress(localPart: "staff", domain: "example.test"), originalRecipient: orcpt, notify: notify, state: .delivered, nextAttempt: now)
    }

    @Test("a forward keeps sender, ENVID and RET, comes from this host and says where it was delivered")
    func envelopeOfForward() {
        let message = Self.forwards.forward(Self.envelope, Self.recipient(notify: nil), to: [MailAddress(localPart: "bob", domain: "example.org")], body: Array("Subject: x\r\n\r\nbody\r\n".utf8), now: Self.now)
        #expect(message.envelope.sender == Self.envelope.sender)
        #expect(message.envelope.envelopeID == "env-1")
        #expect(message.envelope.ret == .headers)
        #expect(message.envelope.flags == [.eightBitMIME, .fromLocal])
        #expect(message.envelope.clientAddress == "127.0.0.1")
        guard case .bytes(let bytes) = message.body else { Issue.record("body in memory"); return }
        #expect(String(decoding: bytes, as: UTF8.self) == "Delivered-To: staff@example.test\r\nSubject: x\r\n\r\nbody\r\n")
        #expect(message.envelope.size == bytes.count)
    }

    @Test("one forward address carries NOTIFY and ORCPT on; several lose SUCCESS and name the expanded recipient")
    func dsnParameters() {
        let orcpt = OriginalRecipient(addressType: "rfc822", address: "list@example.test")
        let one = Self.forwards.forward(Self.envelope, Self.recipient(notify: [.success, .failure], orcpt: orcpt), to: [MailAddress(localPart: "a", domain: "x.test")], body: [], now: Self.now)
        #expect(one.recipients.map(\.notify) == [[.success, .failure]])
        #expect(one.recipients.map(\.originalRecipient) == [orcpt])
        let many = Self.forwards.forward(Self.envelope, Self.recipient(notify: [.success, .failure]), to: [MailAddress(localPart: "a", domain: "x.test"), MailAddress(localPart: "b", domain: "x.test")], body: [], now: Self.now)
        #expect(many.recipients.map(\.notify) == [[.failure], [.failure]])
        #expect(many.recipients.map(\.originalRecipient) == Array(repeating: OriginalRecipient(addressType: "rfc822", address: "staff@example.test"), count: 2))
    }

    @Test("only delivered recipients with forwards make messages")
    func onlyDelivered() {
        var delivered = DeliveryResult.delivered(0, "expanded")
        delivered.forwards = [MailAddress(localPart: "a", domain: "x.test")]
        var failed = Self.recipient(notify: nil)
        failed.state = .failed
        let changes = Self.forwards.changes(for: Self.envelope, outcomes: [
            (0, Self.recipient(notify: nil), delivered),
            (1, failed, delivered),
            (2, Self.recipient(notify: nil), .delivered(2, "plain")),
        ], body: [], now: Self.now)
        #expect(changes.count == 1)
    }

    @Test("a Delivered-To header for the recipient in the message header is a loop; in the body it is not")
    func deliveredToLoop() {
        let address = MailAddress(localPart: "Staff", domain: "Example.test")
        #expect(LocalDeliveryAgent.alreadyDelivered(to: address, body: Array("Received: x\r\nDelivered-To: staff@example.test\r\n\r\nbody\r\n".utf8)))
        #expect(!LocalDeliveryAgent.alreadyDelivered(to: address, body: Array("Delivered-To: other@example.test\r\n\r\nDelivered-To: staff@example.test\r\n".utf8)))
    }
}
