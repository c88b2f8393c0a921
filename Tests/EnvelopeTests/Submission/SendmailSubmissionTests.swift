import Foundation
@testable import Envelope
import Testing

@Suite("SendmailSubmission")
struct SendmailSubmissionTests {
    static let context = SendmailSubmission.Context(
        user: "alice", hostname: "host.example", now: Date(timeIntervalSince1970: 1_700_000_000),
        uniqueID: MessageID(time: 1_700_000_000_000_000, salt: 7)
    )

    static func submit(_ arguments: [String], _ input: String) throws -> SendmailSubmission {
        try SendmailSubmission(options: SendmailOptions.parse(arguments), input: Array(input.utf8), context: context)
    }

    static func text(_ submission: SendmailSubmission) -> String {
        String(decoding: submission.message, as: UTF8.self)
    }

    @Test("a lone dot ends the message without -i; with -i or -oi it is content")
    func dots() throws {
        let input = "Subject: s\nFrom: a@b.example\nDate: x\nMessage-ID: <m@x>\n\none\n..two\n.\nafter\n"
        #expect(Self.text(try Self.submit(["r@example.com"], input)) == "Subject: s\r\nFrom: a@b.example\r\nDate: x\r\nMessage-ID: <m@x>\r\n\r\none\r\n..two\r\n")
        for flag in ["-i", "-oi"] {
            #expect(Self.text(try Self.submit([flag, "r@example.com"], input)).hasSuffix("\r\none\r\n..two\r\n.\r\nafter\r\n"))
        }
    }

    @Test("-t takes To, Cc and Bcc (unfolded), adds them to the arguments, removes Bcc")
    func recipientsFromHeaders() throws {
        let input = "To: Bob <bob@example.com>,\n carol@example.com\nCc: dave@example.com\nBcc: eve@example.com,\n\tfrank@example.com\nSubject: hi\n\nbody\n"
        let submission = try Self.submit(["-t", "zed@example.com", "bob@example.com"], input)
        #expect(submission.recipients.map(\.description) == ["zed@example.com", "bob@example.com", "carol@example.com", "dave@example.com", "eve@example.com", "frank@example.com"])
        let text = Self.text(submission)
        #expect(!text.contains("Bcc") && !text.contains("eve@") && !text.contains("frank@"))
        #expect(text.hasPrefix("To: Bob <bob@example.com>,\r\n carol@example.com\r\nCc: dave@example.com\r\nSubject: hi\r\n"))
    }

    @Test("From, Date and Message-ID are added when missing; -F gives the From a name")
    func addsHeaders() throws {
        let submission = try Self.submit(["-F", "Alice Q. Example", "bob@example.com"], "Subject: hi\n\nbody\n")
        #expect(submission.sender == .mailbox(MailAddress(localPart: "alice", domain: "host.example")))
        let text = Self.text(submission)
        #expect(text.hasPrefix("Subject: hi\r\nFrom: \"Alice Q. Example\" <alice@host.example>\r\nDate: "))
        #expect(text.contains("\r\nMessage-ID: <\(Self.context.uniqueID)@host.example>\r\n\r\nbody\r\n"))
        let plain = Self.text(try Self.submit(["-F", "Alice Example", "-f", "bounce@example.org", "bob@example.com"], "\nbody\n"))
        #expect(plain.hasPrefix("From: Alice Example <bounce@example.org>\r\n"))
    }

    @Test("existing headers are kept as they are")
    func keepsHeaders() throws {
        let input = "from: x@example.org\nDATE: Mon, 1 Jan 2024 00:00:00 +0000\nMessage-Id: <a@b>\n\nbody\n"
        let text = Self.text(try Self.submit(["-F", "Name", "bob@example.com"], input))
        #expect(text == "from: x@example.org\r\nDATE: Mon, 1 Jan 2024 00:00:00 +0000\r\nMessage-Id: <a@b>\r\n\r\nbody\r\n")
    }

    @Test("input without a header gets one, separated from the body by an empty line")
    func noHeader() throws {
        let text = Self.text(try Self.submit(["bob@example.com"], "just text\nmore: text\n"))
        #expect(text.hasPrefix("From: alice@host.example\r\nDate: "))
        #expect(text.hasSuffix("\r\n\r\njust text\r\nmore: text\r\n"))
    }

    @Test("DSN options pass through to the submission")
    func dsn() throws {
        let submission = try Self.submit(["-N", "success", "-R", "hdrs", "-V", "myenvid", "bob@example.com"], "\n")
        #expect(submission.notify == .success)
        #expect(submission.ret == .headers)
        #expect(submission.envelopeID == "myenvid")
    }

    @Test("no recipients, or a bad one in a header with -t, is EX_DATAERR")
    func dataErrors() {
        #expect(throws: SubmissionError(.dataError, "no recipients given")) { try Self.submit([], "Subject: x\n\n") }
        #expect(throws: SubmissionError(.dataError, "no recipients given")) { try Self.submit(["-t"], "Subject: x\n\n") }
        #expect { try Self.submit(["-t"], "To: bob@@example.com\n\n") } throws: { ($0 as? SubmissionError)?.exitStatus == 65 }
    }
}
