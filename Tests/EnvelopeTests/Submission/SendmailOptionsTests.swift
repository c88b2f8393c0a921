@testable import Envelope
import Testing

@Suite("SendmailOptions")
struct SendmailOptionsTests {
    @Test("DSN flags, sender and full name, attached or separate")
    func dsnFlags() throws {
        let options = try SendmailOptions.parse(["-N", "success,failure", "-R", "hdrs", "-V", "myenvid", "-falice@example.org", "-F", "Alice Example", "bob@example.com"])
        #expect(options.notify == [.success, .failure])
        #expect(options.ret == .headers)
        #expect(options.envelopeID == "myenvid")
        #expect(options.sender == .mailbox(MailAddress(localPart: "alice", domain: "example.org")))
        #expect(options.fullName == "Alice Example")
        #expect(options.recipients == [MailAddress(localPart: "bob", domain: "example.com")])
        #expect(options.mode == .submit)
    }

    @Test("-N never is the empty set; -R full")
    func never() throws {
        let options = try SendmailOptions.parse(["-Nnever", "-Rfull", "x@example.com"])
        #expect(options.notify == DSNNotify.never)
        #expect(options.ret == .full)
    }

    @Test("grouped flags, -oi, -t and ignored options")
    func groupedFlags() throws {
        let options = try SendmailOptions.parse(["-ti", "-odq", "-oem", "-v", "-U", "-Am", "-B", "8BITMIME", "-oi"])
        #expect(options.recipientsFromHeaders)
        #expect(options.ignoreDots)
        #expect(options.verbose)
        #expect(options.recipients.isEmpty)
        #expect(try SendmailOptions.parse(["-oi", "a@b.example"]).ignoreDots)
        #expect(try !SendmailOptions.parse(["a@b.example"]).ignoreDots)
    }

    @Test("modes -bm, -bs, -bp; other -b modes are usage errors")
    func modes() throws {
        #expect(try SendmailOptions.parse(["-bs"]).mode == .smtp)
        #expect(try SendmailOptions.parse(["-bp"]).mode == .listQueue)
        #expect(try SendmailOptions.parse(["-bm", "a@b.example"]).mode == .submit)
        #expect(throws: SubmissionError(.usage, "-bd is not supported (only -bm, -bs and -bp)")) { try SendmailOptions.parse(["-bd"]) }
    }

    @Test("unknown options, missing arguments and bad DSN values exit with EX_USAGE", arguments: [
        ["-x"], ["-f"], ["--verbose"], ["--socket"], ["-N", "sometimes"], ["-N", "never,success"], ["-R", "body"], ["-V", "has space"], ["-q"], ["-oQ"],
    ])
    func usageErrors(arguments: [String]) {
        #expect {
            try SendmailOptions.parse(arguments)
        } throws: { error in
            (error as? SubmissionError)?.exitStatus == 64
        }
    }

    @Test("a bad recipient exits with EX_DATAERR")
    func badRecipient() {
        #expect {
            try SendmailOptions.parse(["bob@@example.com"])
        } throws: { error in
            (error as? SubmissionError)?.exitStatus == 65
        }
    }

    @Test("-f <> is the null sender; -r is -f; -oQ names the offline queue")
    func nullSender() throws {
        #expect(try SendmailOptions.parse(["-f", "<>"]).sender == .null)
        #expect(try SendmailOptions.parse(["-r", "<a@b.example>"]).sender == .mailbox(MailAddress(localPart: "a", domain: "b.example")))
        #expect(try SendmailOptions.parse(["-oQ/var/q"]).queueDirectory == "/var/q")
        #expect(try SendmailOptions.parse(["-oQ", "/var/q", "a@b.example"]).queueDirectory == "/var/q")
    }

    @Test("--socket names the control socket, separate or with =")
    func socket() throws {
        #expect(try SendmailOptions.parse(["--socket", "/run/c.sock", "a@b.example"]).controlSocket == "/run/c.sock")
        #expect(try SendmailOptions.parse(["--socket=/run/c.sock"]).controlSocket == "/run/c.sock")
    }

    @Test("-- ends options; recipients may be lists and bare local users")
    func operands() throws {
        let options = try SendmailOptions.parse(["-i", "--", "Bob <bob@example.com>, carol", "-dave@example.com"])
        #expect(options.recipients == [
            MailAddress(localPart: "bob", domain: "example.com"),
            MailAddress(localPart: "carol", domain: ""),
            MailAddress(localPart: "-dave", domain: "example.com"),
        ])
    }
}
