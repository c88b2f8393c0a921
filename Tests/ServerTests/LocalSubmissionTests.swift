import Envelope
import Foundation
import Queue
import Testing
import Transport
@testable import Server

@Suite("LocalSubmission")
struct LocalSubmissionTests {
    static let configuration = try! Configuration.parse(text: """
        action "local" maildir "/tmp/%{user.username}"
        match from local for domain "host.test" action "local"
        """, hostname: "host.test")

    static func submit(_ submission: Submission) throws -> NewMessage {
        try LocalSubmission(configuration: configuration, tables: InMemoryTableLookup(configuration))
            .message(from: submission, id: MessageIDGenerator().next(), now: Date())
    }

    @Test("line endings become CRLF, whatever the program wrote", arguments: [
        ("a\nb\n", "a\r\nb\r\n"), ("a\r\nb\r\n", "a\r\nb\r\n"), ("a\rb", "a\r\nb\r\n"), ("no newline", "no newline\r\n"), ("", ""),
    ])
    func lineEndings(_ input: String, _ expected: String) {
        #expect(LocalSubmission.crlfLines(Data(input.utf8)) == Array(expected.utf8))
    }

    @Test("a submission becomes a local message: bare user names get the host's domain, DSN options kept")
    func message() throws {
        let message = try Self.submit(Submission(
            sender: "alice@host.test", recipients: [.init(address: "bob", notify: "SUCCESS,DELAY", originalRecipient: "rfc822;bob@host.test")],
            ret: "HDRS", envelopeID: "env-1", user: "alice", message: Data("Subject: hi\n\nbody\n".utf8)
        ))
        #expect(message.recipients.map(\.address.description) == ["bob@host.test"])
        #expect(message.recipients[0].notify == [.success, .delay])
        #expect(message.recipients[0].originalRecipient?.address == "bob@host.test")
        #expect(message.envelope.ret == .headers)
        #expect(message.envelope.envelopeID == "env-1")
        #expect(message.envelope.clientAddress == "local")
        #expect(message.envelope.flags.contains(.fromLocal))
        guard case .bytes(let body) = message.body else { Issue.record("body not in memory"); return }
        let text = String(decoding: body, as: UTF8.self)
        #expect(text.hasPrefix("Received: by host.test id \(message.envelope.id) for <bob@host.test>;"), "\(text)")
        #expect(text.hasSuffix("\r\nSubject: hi\r\n\r\nbody\r\n"))
        #expect(message.envelope.size == body.count)
    }

    @Test("refusals name the problem", arguments: [
        (Submission(sender: "bad address", recipients: [.init(address: "bob")], message: Data()), "sender"),
        (Submission(sender: "a@host.test", recipients: [], message: Data()), "no recipients"),
        (Submission(sender: "a@host.test", recipients: [.init(address: "x@elsewhere.test")], message: Data()), "no rule accepts it"),
        (Submission(sender: "a@host.test", recipients: [.init(address: "bob", notify: "SOMETIMES")], message: Data()), "recipient <bob@host.test>"),
        (Submission(sender: "a@host.test", recipients: [.init(address: "bob")], ret: "ALL", message: Data()), "RET"),
    ])
    func refusals(_ submission: Submission, _ expected: String) {
        #expect {
            _ = try Self.submit(submission)
        } throws: { error in
            "\(error)".contains(expected)
        }
    }

    @Test("a recipient check judges sender and recipient as a submission would", arguments: [
        (RecipientCheck(sender: "a@host.test", recipient: .init(address: "bob")), nil),
        (RecipientCheck(sender: "", recipient: .init(address: "bob@host.test", notify: "NEVER")), nil),
        (RecipientCheck(sender: "a@host.test", recipient: .init(address: "x@elsewhere.test")), "no rule accepts it"),
        (RecipientCheck(sender: "bad address", recipient: .init(address: "bob")), "sender"),
        (RecipientCheck(sender: "a@host.test", recipient: .init(address: "bob", notify: "SOMETIMES")), "recipient <bob@host.test>"),
    ] as [(RecipientCheck, String?)])
    func recipientCheck(_ check: RecipientCheck, _ refusal: String?) {
        let submission = LocalSubmission(configuration: Self.configuration, tables: InMemoryTableLookup(Self.configuration))
        do {
            try submission.check(check)
            #expect(refusal == nil, "accepted, expected a refusal naming \(refusal ?? "")")
        } catch {
            #expect(refusal.map { error.description.contains($0) } == true, "\(error)")
        }
    }
}

@Suite("DeliveryPause")
struct DeliveryPauseTests {
    @Test("mta pauses relay and LMTP, mda pauses local methods, a destination pauses its domain alone")
    func holdsBack() {
        let relay = ActionConfig(name: "out", method: .relay(RelayConfig(route: .mx, helo: "h")))
        let local = ActionConfig(name: "local", method: .maildir(pathTemplate: "/tmp/x"))
        var pause = DeliveryPause()
        #expect(!pause.holdsBack(relay, domain: "a.test"))
        pause.mta = true
        #expect(pause.holdsBack(relay, domain: "a.test"))
        #expect(!pause.holdsBack(local, domain: "a.test"))
        pause = DeliveryPause(destinations: ["b.test"])
        #expect(pause.holdsBack(local, domain: "b.test"))
        #expect(!pause.holdsBack(relay, domain: "a.test"))
        #expect(pause.descriptions == ["destination b.test"])
    }
}

@Suite("LogLevelControl")
struct LogLevelControlTests {
    @Test("verbose lowers every level to debug, brief restores it, trace affects one subsystem")
    func levels() {
        let control = LogLevelControl(level: .info)
        #expect(control.level(for: "tern.smtp") == .info)
        control.setVerbose(true)
        #expect(control.level(for: "ternd") == .debug)
        #expect(control.setTrace("smtp", enabled: true))
        #expect(control.level(for: "tern.smtp") == .trace)
        #expect(control.level(for: "tern.delivery") == .debug)
        #expect(!control.setTrace("nosuch", enabled: true))
        control.setVerbose(false)
        _ = control.setTrace("smtp", enabled: false)
        #expect(control.level(for: "tern.smtp") == .info)
    }
}

@Suite("SubmissionSocketService")
struct SubmissionSocketServiceTests {
    @Test("a request may carry a message at the size limit in base64 with 4 MiB for its envelope, and never more than the protocol's line limit")
    func requestLimit() {
        #expect(SubmissionSocketService.requestLimit(maxMessageSize: 35 << 20) == (35 << 20) * 4 / 3 + (4 << 20))
        #expect(SubmissionSocketService.requestLimit(maxMessageSize: 1 << 30) == ControlProtocol.maxLineLength)
        #expect(SubmissionSocketService.requestLimit(maxMessageSize: .max) == ControlProtocol.maxLineLength)
    }
}
