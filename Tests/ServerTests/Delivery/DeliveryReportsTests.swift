import Envelope
import Foundation
import Testing

@testable import Queue
@testable import Server

@Suite("DeliveryReports")
struct DeliveryReportsTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let alice = MailAddress(localPart: "alice", domain: "sender.test")
    static let postmaster = MailAddress(localPart: "postmaster", domain: "mx.test")
    static let body = Array("Subject: hello\r\nMessage-ID: <m1@sender.test>\r\n\r\n".utf8) + Array(String(repeating: String(repeating: "x", count: 48) + "\r\n", count: 40).utf8)

    static func envelope(sender: ReversePath = .mailbox(alice), ret: DSNReturn? = nil, flags: Envelope.Flags = []) -> Envelope {
        Envelope(
            id: MessageIDGenerator().next(now: now), sender: sender, ret: ret, size: body.count, arrival: now,
            expiry: now.addingTimeInterval(3600), clientAddress: "192.0.2.1", heloName: "client.test", flags: flags
        )
    }

    static func recipient(_ state: RecipientState, notify: DSNNotify? = nil) -> Recipient {
        Recipient(address: MailAddress(localPart: "bob", domain: "example.test"), notify: notify, state: state, nextAttempt: now)
    }

    static func message(_ envelope: Envelope, _ recipients: [Recipient]) -> QueuedMessage {
        QueuedMessage(envelope: envelope, recipients: recipients)
    }

    static func reports(_ configure: (inout BounceConfig) -> Void = { _ in }) -> DeliveryReports {
        var configuration = Configuration(hostname: "mx.test")
        configure(&configuration.bounce)
        return DeliveryReports(configuration: configuration, ids: MessageIDGenerator())
    }

    static let rejected = DeliveryResult.failed(0, .permanent(.mailboxUnknown, "550 5.1.1 no such user"))

    /// The new messages among `changes`.
    static func enqueued(_ changes: [JournalChange]) -> [NewMessage] {
        changes.compactMap { change in
            guard case .enqueue(let message) = change else { return nil }
            return message
        }
    }

    static func text(_ message: NewMessage) -> String {
        guard case .bytes(let bytes) = message.body else { return "" }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test("bounce return headers returns only the headers when the sender gave no RET")
    func defaultReturnHeaders() throws {
        let failed = Self.recipient(.failed)
        let full = Self.enqueued(Self.reports().changes(for: Self.message(Self.envelope(), [failed]), outcomes: [(0, failed, Self.rejected)], body: Self.body, now: Self.now))
        #expect(try #require(full.first).envelope.size > 2000)
        let headers = Self.enqueued(Self.reports { $0.defaultReturn = .headers }.changes(
            for: Self.message(Self.envelope(), [failed]), outcomes: [(0, failed, Self.rejected)], body: Self.body, now: Self.now
        ))
        let report = try #require(headers.first)
        #expect(report.envelope.size < 2000)
        #expect(Self.text(report).contains("text/rfc822-headers"))
    }

    @Test("the sender's RET=FULL wins over bounce return headers")
    func senderReturnWins() throws {
        let failed = Self.recipient(.failed)
        let changes = Self.reports { $0.defaultReturn = .headers }.changes(
            for: Self.message(Self.envelope(ret: .full), [failed]), outcomes: [(0, failed, Self.rejected)], body: Self.body, now: Self.now
        )
        #expect(try #require(Self.enqueued(changes).first).envelope.size > 2000)
    }

    @Test("bounce max-return-size returns a larger message as its headers")
    func maximumReturnedSize() throws {
        let failed = Self.recipient(.failed)
        let changes = Self.reports { $0.maximumReturnedSize = 1000 }.changes(
            for: Self.message(Self.envelope(), [failed]), outcomes: [(0, failed, Self.rejected)], body: Self.body, now: Self.now
        )
        let report = try #require(Self.enqueued(changes).first)
        #expect(report.envelope.size < 2000)
        #expect(Self.text(report).contains("text/rfc822-headers"))
    }

    @Test("mail from a no-dsn listener gets no failure, success or delay report")
    func suppressed() {
        let envelope = Self.envelope(flags: [.suppressReports])
        let failed = Self.recipient(.failed)
        let delivered = Self.recipient(.delivered, notify: [.success])
        let reports = Self.reports()
        let changes = reports.changes(
            for: Self.message(envelope, [failed, delivered]),
            outcomes: [(0, failed, Self.rejected), (1, delivered, .delivered(1, "250 ok"))], body: Self.body, now: Self.now
        )
        #expect(changes.isEmpty)
        let delayed = Self.recipient(.scheduled, notify: [.delay])
        #expect(reports.delayWarning(for: Self.message(envelope, [delayed]), recipients: [delayed], body: Self.body, now: Self.now) == nil)
        #expect(DSNPolicy.isSuppressed(envelope))
        #expect(!DSNPolicy.isSuppressed(Self.envelope()))
    }

    @Test("a failed DSN of ours makes one notice to the postmaster, returning the DSN's headers")
    func postmasterNotice() throws {
        let dsn = Self.envelope(sender: .null, flags: [.isDSN, .fromLocal])
        let failed = Self.recipient(.failed, notify: .never)
        let changes = Self.reports { $0.postmaster = Self.postmaster }.changes(
            for: Self.message(dsn, [failed]), outcomes: [(0, failed, Self.rejected)], body: Self.body, now: Self.now
        )
        let notices = Self.enqueued(changes)
        try #require(notices.count == 1)
        let notice = notices[0]
        #expect(notice.envelope.sender == .null)
        #expect(notice.envelope.flags.isSuperset(of: [.isDSN, .isPostmasterNotice]))
        #expect(notice.recipients.map(\.address) == [Self.postmaster])
        #expect(notice.recipients.map(\.notify) == [.never])
        let text = Self.text(notice)
        #expect(text.contains("To: <postmaster@mx.test>"))
        #expect(text.contains("text/rfc822-headers"))
        #expect(text.contains("Final-Recipient: rfc822; bob@example.test"))
        #expect(notice.envelope.size < 2000)
    }

    @Test("no notice without a postmaster, for delivered DSNs, for others' null-sender mail, or for a failed notice")
    func noPostmasterNotice() {
        let failed = Self.recipient(.failed, notify: .never)
        let outcomes: [(UInt32, Recipient, DeliveryResult)] = [(0, failed, Self.rejected)]
        let dsn = Self.envelope(sender: .null, flags: [.isDSN, .fromLocal])
        #expect(Self.reports().changes(for: Self.message(dsn, [failed]), outcomes: outcomes, body: Self.body, now: Self.now).isEmpty)
        let withPostmaster = Self.reports { $0.postmaster = Self.postmaster }
        let delivered = Self.recipient(.delivered, notify: .never)
        #expect(withPostmaster.changes(for: Self.message(dsn, [delivered]), outcomes: [(0, delivered, .delivered(0, "250 ok"))], body: Self.body, now: Self.now).isEmpty)
        let foreign = Self.envelope(sender: .null)
        #expect(withPostmaster.changes(for: Self.message(foreign, [failed]), outcomes: outcomes, body: Self.body, now: Self.now).isEmpty)
        let notice = Self.envelope(sender: .null, flags: [.isDSN, .fromLocal, .isPostmasterNotice])
        #expect(withPostmaster.changes(for: Self.message(notice, [failed]), outcomes: outcomes, body: Self.body, now: Self.now).isEmpty)
        #expect(DSNPolicy.needsPostmasterNotice(dsn))
        #expect(!DSNPolicy.needsPostmasterNotice(notice))
    }

    @Test("failed recipients of several destinations in one outcome list make one failure report naming each")
    func oneReportAcrossDestinations() throws {
        let recipients = ["a.test", "b.test", "c.test"].map {
            Recipient(address: MailAddress(localPart: "bob", domain: $0), state: .failed, nextAttempt: Self.now)
        }
        var delivered = recipients[2]
        delivered.state = .delivered
        let outcomes: [(UInt32, Recipient, DeliveryResult)] = [
            (0, recipients[0], .failed(0, .permanent(.mailboxUnknown, "550 5.1.1 no such user"))),
            (1, recipients[1], .failed(1, .permanent(.mailboxUnknown, "550 5.1.1 unknown here"))),
            (2, delivered, .delivered(2, "250 ok")),
        ]
        let changes = Self.reports().changes(for: Self.message(Self.envelope(), recipients), outcomes: outcomes, body: Self.body, now: Self.now)
        let reports = Self.enqueued(changes)
        try #require(reports.count == 1)
        let text = Self.text(reports[0])
        #expect(text.contains("Final-Recipient: rfc822; bob@a.test"))
        #expect(text.contains("Final-Recipient: rfc822; bob@b.test"))
        #expect(!text.contains("bob@c.test"))
        #expect(text.components(separatedBy: "Action: failed").count - 1 == 2)
    }
}
