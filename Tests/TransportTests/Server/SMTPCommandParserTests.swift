import Envelope
import Testing
@testable import Transport

private func address(_ localPart: String, _ domain: String) -> MailAddress {
    MailAddress(localPart: localPart, domain: domain)
}

private func mailParameters(
    size: Int? = nil, body: MessageBodyType? = nil, smtpUTF8: Bool = false, ret: DSNReturn? = nil,
    envelopeID: String? = nil, auth: String? = nil
) -> MailParameters {
    var parameters = MailParameters()
    parameters.size = size
    parameters.body = body
    parameters.smtpUTF8 = smtpUTF8
    parameters.ret = ret
    parameters.envelopeID = envelopeID
    parameters.auth = auth
    return parameters
}

private let alice = address("alice", "example.com")
private let bob = address("bob", "example.org")

/// A line the parser must accept, and the command it gives.
struct AcceptedLine: Sendable, CustomTestStringConvertible {
    let line: String
    let allowUTF8: Bool
    let command: SMTPCommand

    init(_ line: String, allowUTF8: Bool = false, _ command: SMTPCommand) {
        self.line = line
        self.allowUTF8 = allowUTF8
        self.command = command
    }

    var testDescription: String { line.debugDescription }
}

/// A line the parser must refuse, and the reply code and enhanced status it owes.
struct RefusedLine: Sendable, CustomTestStringConvertible {
    let line: [UInt8]
    let allowUTF8: Bool
    let code: Int
    let status: EnhancedStatus

    init(_ line: String, allowUTF8: Bool = false, _ code: Int, _ status: EnhancedStatus) {
        self.init(bytes: Array(line.utf8), allowUTF8: allowUTF8, code, status)
    }

    init(bytes: [UInt8], allowUTF8: Bool = false, _ code: Int, _ status: EnhancedStatus) {
        self.line = bytes
        self.allowUTF8 = allowUTF8
        self.code = code
        self.status = status
    }

    var testDescription: String { String(decoding: line, as: UTF8.self).debugDescription }
}

@Suite("SMTPCommandParser")
struct SMTPCommandParserTests {
    private func expectAccepted(_ fixture: AcceptedLine, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let command = try SMTPCommandParser.parse(Array(fixture.line.utf8), allowUTF8: fixture.allowUTF8)
            #expect(command == fixture.command, sourceLocation: sourceLocation)
        } catch {
            Issue.record("refused with \(error.reply)", sourceLocation: sourceLocation)
        }
    }

    private func expectRefused(_ fixture: RefusedLine, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let command = try SMTPCommandParser.parse(fixture.line, allowUTF8: fixture.allowUTF8)
            Issue.record("accepted as \(command)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.reply.code == fixture.code, sourceLocation: sourceLocation)
            #expect(error.reply.status == fixture.status, sourceLocation: sourceLocation)
        }
    }

    // MARK: - Verbs

    static let verbs: [AcceptedLine] = [
        .init("HELO client.example", .helo("client.example")),
        .init("helo client.example", .helo("client.example")),
        .init("EHLO client.example", .ehlo("client.example")),
        .init("eHlO   client.example  ", .ehlo("client.example")),
        .init("EHLO [192.0.2.1]", .ehlo("[192.0.2.1]")),
        .init("MAIL FROM:<alice@example.com>", .mail(.mailbox(alice), MailParameters())),
        .init("mail from:<alice@example.com>", .mail(.mailbox(alice), MailParameters())),
        .init("RCPT TO:<bob@example.org>", .rcpt(bob, RecipientParameters())),
        .init("Rcpt To:<bob@example.org>", .rcpt(bob, RecipientParameters())),
        .init("DATA", .data),
        .init("data", .data),
        .init("DATA  ", .data),
        .init("RSET", .rset),
        .init("rset", .rset),
        .init("NOOP", .noop),
        .init("noop anything at all", .noop),
        .init("QUIT", .quit),
        .init("quit", .quit),
        .init("VRFY alice", .vrfy("alice")),
        .init("vrfy  <alice@example.com> ", .vrfy("<alice@example.com>")),
        .init("EXPN staff", .expn("staff")),
        .init("HELP", .help),
        .init("help MAIL", .help),
        .init("STARTTLS", .startTLS),
        .init("StartTLS", .startTLS),
        .init("BDAT 0 LAST", .bdat(size: 0, last: true)),
        .init("AUTH PLAIN", .auth(mechanism: "PLAIN", initialResponse: nil)),
    ]

    @Test("parses every verb in any case", arguments: verbs)
    func verb(fixture: AcceptedLine) {
        expectAccepted(fixture)
    }

    static let unknownCommands: [RefusedLine] = [
        .init("", 500, .invalidCommand),
        .init(" ", 500, .invalidCommand),
        .init("XYZZY", 500, .invalidCommand),
        .init("XYZZY some argument", 500, .invalidCommand),
        .init("MAILFROM:<alice@example.com>", 500, .invalidCommand),
        .init(" NOOP", 500, .invalidCommand),
        .init("NOOP\tx", 500, .invalidCommand),
        .init("TURN", 500, .invalidCommand),
    ]

    @Test("refuses unknown commands with 500 5.5.1", arguments: unknownCommands)
    func unknownCommand(fixture: RefusedLine) {
        expectRefused(fixture)
    }

    static let badArguments: [RefusedLine] = [
        .init("HELO", 501, .invalidArguments),
        .init("EHLO ", 501, .invalidArguments),
        .init("EHLO two words", 501, .invalidArguments),
        .init("DATA now", 501, .invalidArguments),
        .init("RSET all", 501, .invalidArguments),
        .init("QUIT now", 501, .invalidArguments),
        .init("STARTTLS please", 501, .invalidArguments),
        .init("MAIL", 501, .invalidArguments),
        .init("MAIL FROM", 501, .invalidArguments),
        .init("MAIL FROM:", 501, .invalidArguments),
        .init("MAIL TO:<alice@example.com>", 501, .invalidArguments),
        .init("MAIL FROM:alice@example.com", 501, .invalidArguments),
        .init("MAIL FROM:<alice@example.com", 501, .invalidArguments),
        .init("MAIL FROM:<alice@example.com>SIZE=1", 501, .invalidArguments),
        .init("MAIL FROM:<\"alice>@example.com", 501, .invalidArguments),
        .init("RCPT", 501, .invalidArguments),
        .init("RCPT TO", 501, .invalidArguments),
        .init("RCPT FROM:<bob@example.org>", 501, .invalidArguments),
        .init("RCPT TO:bob@example.org", 501, .invalidArguments),
        .init("RCPT TO:<bob@example.org>NOTIFY=NEVER", 501, .invalidArguments),
    ]

    @Test("refuses malformed arguments with 501 5.5.4", arguments: badArguments)
    func badArgument(fixture: RefusedLine) {
        expectRefused(fixture)
    }

    @Test("refuses NUL bytes and invalid UTF-8 with 500 5.5.2", arguments: [
        RefusedLine(bytes: Array("NOOP\u{0}".utf8), 500, .syntaxError),
        RefusedLine(bytes: Array("MAIL FROM:<a\u{0}b@example.com>".utf8), 500, .syntaxError),
        RefusedLine(bytes: [0], 500, .syntaxError),
        RefusedLine(bytes: Array("NOOP ".utf8) + [0xFF], 500, .syntaxError),
        RefusedLine(bytes: Array("MAIL FROM:<j".utf8) + [0xC3] + Array("rg@example.com> SMTPUTF8".utf8), allowUTF8: true, 500, .syntaxError),
        RefusedLine(bytes: Array("RCPT TO:<".utf8) + [0xED, 0xA0, 0x80] + Array("@example.org>".utf8), allowUTF8: true, 500, .syntaxError),
    ])
    func refusesBadBytes(fixture: RefusedLine) {
        expectRefused(fixture)
    }

    // MARK: - Paths

    static let paths: [AcceptedLine] = [
        .init("MAIL FROM:<>", .mail(.null, MailParameters())),
        .init("MAIL FROM: <>", .mail(.null, MailParameters())),
        .init("MAIL FROM:   <alice@example.com>", .mail(.mailbox(alice), MailParameters())),
        .init("RCPT TO: <bob@example.org>", .rcpt(bob, RecipientParameters())),
        .init("MAIL FROM:<alice@EXAMPLE.com>", .mail(.mailbox(address("alice", "EXAMPLE.com")), MailParameters())),
        .init("MAIL FROM:<\"a>b\"@example.com>", .mail(.mailbox(address("a>b", "example.com")), MailParameters())),
        .init("MAIL FROM:<\"john smith\"@example.com> SIZE=10", .mail(.mailbox(address("john smith", "example.com")), mailParameters(size: 10))),
        .init("MAIL FROM:<\"x> SIZE=1\"@example.com>", .mail(.mailbox(address("x> SIZE=1", "example.com")), MailParameters())),
        .init("MAIL FROM:<\"a\\\"> b\"@example.com>", .mail(.mailbox(address("a\"> b", "example.com")), MailParameters())),
        .init("RCPT TO:<\"b>o b\"@example.org> NOTIFY=NEVER", .rcpt(address("b>o b", "example.org"), RecipientParameters(notify: .never))),
        .init("MAIL FROM:<@relay.example:alice@example.com>", .mail(.mailbox(alice), MailParameters())),
        .init("MAIL FROM:<@a.example,@b.example:alice@example.com>", .mail(.mailbox(alice), MailParameters())),
        .init("RCPT TO:<@relay.example,@hop.example:bob@example.org>", .rcpt(bob, RecipientParameters())),
        .init("RCPT TO:<Postmaster>", .rcpt(.postmaster, RecipientParameters())),
        .init("RCPT TO:<postmaster>", .rcpt(.postmaster, RecipientParameters())),
        .init("RCPT TO:<user@[192.0.2.1]>", .rcpt(address("user", "[192.0.2.1]"), RecipientParameters())),
        .init("RCPT TO:<user@[IPv6:2001:db8::1]>", .rcpt(address("user", "[IPv6:2001:db8::1]"), RecipientParameters())),
        .init("MAIL FROM:<jörg@example.com> SMTPUTF8", .mail(.mailbox(address("jörg", "example.com")), mailParameters(smtpUTF8: true))),
        .init("MAIL FROM:<jörg@bücher.example>", allowUTF8: true, .mail(.mailbox(address("jörg", "bücher.example")), MailParameters())),
        .init("RCPT TO:<jörg@bücher.example>", allowUTF8: true, .rcpt(address("jörg", "bücher.example"), RecipientParameters())),
    ]

    @Test("reads paths: null, spaces after the colon, quoted local parts, source routes", arguments: paths)
    func path(fixture: AcceptedLine) {
        expectAccepted(fixture)
    }

    static let badAddresses: [RefusedLine] = [
        .init("MAIL FROM:<alice@@example.com>", 501, .badSenderAddressSyntax),
        .init("MAIL FROM:<a..b@example.com>", 501, .badSenderAddressSyntax),
        .init("MAIL FROM:<alice>", 501, .badSenderAddressSyntax),
        .init("MAIL FROM:<alice@-example.com>", 501, .badSenderAddressSyntax),
        .init("MAIL FROM:<john smith@example.com>", 501, .badSenderAddressSyntax),
        .init("MAIL FROM:<@relay.example alice@example.com>", 501, .badSenderAddressSyntax),
        .init("MAIL FROM:<\(String(repeating: "a", count: 65))@example.com>", 501, .badSenderAddressSyntax),
        .init("RCPT TO:<>", 501, .badRecipientAddressSyntax),
        .init("RCPT TO:<bob@@example.org>", 501, .badRecipientAddressSyntax),
        .init("RCPT TO:<b..ob@example.org>", 501, .badRecipientAddressSyntax),
        .init("RCPT TO:<bob@example.org.>", 501, .badRecipientAddressSyntax),
        .init("RCPT TO:<bob>", 501, .badRecipientAddressSyntax),
        .init("RCPT TO:<\(String(repeating: "b", count: 65))@example.org>", 501, .badRecipientAddressSyntax),
        .init("RCPT TO:<bob@\(String(repeating: "x", count: 64)).example>", 501, .badRecipientAddressSyntax),
    ]

    @Test("refuses bad addresses with 501 5.1.7 for senders and 5.1.3 for recipients", arguments: badAddresses)
    func badAddress(fixture: RefusedLine) {
        expectRefused(fixture)
    }

    static let nonASCIIWithoutSMTPUTF8: [RefusedLine] = [
        .init("MAIL FROM:<jörg@example.com>", 553, .nonASCIIAddressNotPermitted),
        .init("MAIL FROM:<alice@bücher.example> BODY=8BITMIME", 553, .nonASCIIAddressNotPermitted),
        .init("RCPT TO:<jörg@example.org>", 553, .nonASCIIAddressNotPermitted),
        .init("RCPT TO:<bob@bücher.example>", 553, .nonASCIIAddressNotPermitted),
    ]

    @Test("refuses non-ASCII addresses without SMTPUTF8 with 553 5.6.7", arguments: nonASCIIWithoutSMTPUTF8)
    func nonASCII(fixture: RefusedLine) {
        expectRefused(fixture)
    }

    // MARK: - MAIL parameters

    static let mailParameterLines: [AcceptedLine] = [
        .init("MAIL FROM:<> SIZE=0", .mail(.null, mailParameters(size: 0))),
        .init("MAIL FROM:<> SIZE=1048576", .mail(.null, mailParameters(size: 1_048_576))),
        .init("MAIL FROM:<> size=0012", .mail(.null, mailParameters(size: 12))),
        .init("MAIL FROM:<> SIZE=1099511627776", .mail(.null, mailParameters(size: 1 << 40))),
        .init("MAIL FROM:<> BODY=7BIT", .mail(.null, mailParameters(body: .sevenBit))),
        .init("MAIL FROM:<> BODY=8BITMIME", .mail(.null, mailParameters(body: .eightBitMIME))),
        .init("MAIL FROM:<> body=8bitmime", .mail(.null, mailParameters(body: .eightBitMIME))),
        .init("MAIL FROM:<> BODY=BINARYMIME", .mail(.null, mailParameters(body: .binaryMIME))),
        .init("MAIL FROM:<> SMTPUTF8", .mail(.null, mailParameters(smtpUTF8: true))),
        .init("MAIL FROM:<> smtputf8", .mail(.null, mailParameters(smtpUTF8: true))),
        .init("MAIL FROM:<> RET=FULL", .mail(.null, mailParameters(ret: .full))),
        .init("MAIL FROM:<> RET=hdrs", .mail(.null, mailParameters(ret: .headers))),
        .init("MAIL FROM:<> ENVID=QQ314159", .mail(.null, mailParameters(envelopeID: "QQ314159"))),
        .init("MAIL FROM:<> ENVID=QQ314159+2B1+20x", .mail(.null, mailParameters(envelopeID: "QQ314159+1 x"))),
        .init("MAIL FROM:<> AUTH=<>", .mail(.null, mailParameters(auth: "<>"))),
        .init("MAIL FROM:<> AUTH=alice+40example.com", .mail(.null, mailParameters(auth: "alice@example.com"))),
        .init("MAIL FROM:<> AUTH=alice+ZZ", .mail(.null, mailParameters(auth: "<>"))),
        .init("MAIL FROM:<alice@example.com>   SIZE=5   ", .mail(.mailbox(alice), mailParameters(size: 5))),
        .init(
            "MAIL FROM:<alice@example.com> SIZE=100 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=id+3D1 AUTH=<>",
            .mail(.mailbox(alice), mailParameters(size: 100, body: .eightBitMIME, smtpUTF8: true, ret: .headers, envelopeID: "id=1", auth: "<>"))),
    ]

    @Test("reads every MAIL parameter", arguments: mailParameterLines)
    func mailParameter(fixture: AcceptedLine) {
        expectAccepted(fixture)
    }

    static let badMailParameters: [RefusedLine] = [
        .init("MAIL FROM:<> SIZE", 501, .invalidArguments),
        .init("MAIL FROM:<> SIZE=", 501, .invalidArguments),
        .init("MAIL FROM:<> SIZE=ten", 501, .invalidArguments),
        .init("MAIL FROM:<> SIZE=-1", 501, .invalidArguments),
        .init("MAIL FROM:<> SIZE=+1", 501, .invalidArguments),
        .init("MAIL FROM:<> SIZE=1.5", 501, .invalidArguments),
        .init("MAIL FROM:<> SIZE=1099511627777", 501, .invalidArguments),
        .init("MAIL FROM:<> SIZE=99999999999999999999999", 501, .invalidArguments),
        .init("MAIL FROM:<> BODY", 501, .invalidArguments),
        .init("MAIL FROM:<> BODY=", 501, .invalidArguments),
        .init("MAIL FROM:<> BODY=9BIT", 501, .invalidArguments),
        .init("MAIL FROM:<> SMTPUTF8=YES", 501, .invalidArguments),
        .init("MAIL FROM:<> RET", 501, .invalidArguments),
        .init("MAIL FROM:<> RET=", 501, .invalidArguments),
        .init("MAIL FROM:<> RET=SOME", 501, .invalidArguments),
        .init("MAIL FROM:<> ENVID", 501, .invalidArguments),
        .init("MAIL FROM:<> ENVID=", 501, .invalidArguments),
        .init("MAIL FROM:<> ENVID=a+ZZ", 501, .invalidArguments),
        .init("MAIL FROM:<> ENVID=a=b", 501, .invalidArguments),
        .init("MAIL FROM:<> ENVID=+00", 501, .invalidArguments),
        .init("MAIL FROM:<> ENVID=\(String(repeating: "e", count: 101))", 501, .invalidArguments),
        .init("MAIL FROM:<> AUTH", 501, .invalidArguments),
        .init("MAIL FROM:<> AUTH=", 501, .invalidArguments),
        .init("MAIL FROM:<> =1", 501, .invalidArguments),
        .init("MAIL FROM:<> SI_ZE=1", 501, .invalidArguments),
        .init("MAIL FROM:<> SIZ\u{E9}=1", 501, .invalidArguments),
    ]

    @Test("refuses bad MAIL parameter values with 501 5.5.4", arguments: badMailParameters)
    func badMailParameter(fixture: RefusedLine) {
        expectRefused(fixture)
    }

    // MARK: - RCPT parameters

    static let recipientParameterLines: [AcceptedLine] = [
        .init("RCPT TO:<bob@example.org> NOTIFY=NEVER", .rcpt(bob, RecipientParameters(notify: .never))),
        .init("RCPT TO:<bob@example.org> NOTIFY=SUCCESS", .rcpt(bob, RecipientParameters(notify: .success))),
        .init("RCPT TO:<bob@example.org> NOTIFY=FAILURE,DELAY", .rcpt(bob, RecipientParameters(notify: [.failure, .delay]))),
        .init("RCPT TO:<bob@example.org> notify=delay,success,failure", .rcpt(bob, RecipientParameters(notify: [.success, .failure, .delay]))),
        .init(
            "RCPT TO:<bob@example.org> ORCPT=rfc822;bob+2Bsmtp@example.org",
            .rcpt(bob, RecipientParameters(originalRecipient: OriginalRecipient(addressType: "rfc822", address: "bob+smtp@example.org")))),
        .init(
            "RCPT TO:<bob@example.org> ORCPT=utf-8;j\\x{F6}rg@example.org",
            .rcpt(bob, RecipientParameters(originalRecipient: OriginalRecipient(addressType: "utf-8", address: "jörg@example.org")))),
        .init(
            "RCPT TO:<bob@example.org> ORCPT=rfc822;bob@example.org NOTIFY=SUCCESS,FAILURE",
            .rcpt(bob, RecipientParameters(notify: [.success, .failure], originalRecipient: OriginalRecipient(addressType: "rfc822", address: "bob@example.org")))),
    ]

    @Test("reads NOTIFY and ORCPT", arguments: recipientParameterLines)
    func recipientParameter(fixture: AcceptedLine) {
        expectAccepted(fixture)
    }

    static let badRecipientParameters: [RefusedLine] = [
        .init("RCPT TO:<bob@example.org> NOTIFY", 501, .invalidArguments),
        .init("RCPT TO:<bob@example.org> NOTIFY=", 501, .invalidArguments),
        .init("RCPT TO:<bob@example.org> NOTIFY=SOMETIMES", 501, .invalidArguments),
        .init("RCPT TO:<bob@example.org> NOTIFY=NEVER,SUCCESS", 501, .invalidArguments),
        .init("RCPT TO:<bob@example.org> NOTIFY=SUCCESS,SUCCESS", 501, .invalidArguments),
        .init("RCPT TO:<bob@example.org> NOTIFY=SUCCESS,", 501, .invalidArguments),
        .init("RCPT TO:<bob@example.org> ORCPT", 501, .invalidArguments),
        .init("RCPT TO:<bob@example.org> ORCPT=bob@example.org", 501, .invalidArguments),
        .init("RCPT TO:<bob@example.org> ORCPT=rfc822;", 501, .invalidArguments),
        .init("RCPT TO:<bob@example.org> ORCPT=;bob@example.org", 501, .invalidArguments),
        .init("RCPT TO:<bob@example.org> ORCPT=rfc822;bob+zz@example.org", 501, .invalidArguments),
    ]

    @Test("refuses bad NOTIFY and ORCPT values with 501 5.5.4", arguments: badRecipientParameters)
    func badRecipientParameter(fixture: RefusedLine) {
        expectRefused(fixture)
    }

    // MARK: - Unknown and repeated parameters

    static let unknownParameters: [RefusedLine] = [
        .init("MAIL FROM:<> XFORWARD", 555, .invalidArguments),
        .init("MAIL FROM:<> FOO=bar", 555, .invalidArguments),
        .init("MAIL FROM:<> NOTIFY=NEVER", 555, .invalidArguments),
        .init("MAIL FROM:<> SIZE=1 MT-PRIORITY=3", 555, .invalidArguments),
        .init("RCPT TO:<bob@example.org> SIZE=10", 555, .invalidArguments),
        .init("RCPT TO:<bob@example.org> SMTPUTF8", 555, .invalidArguments),
        .init("RCPT TO:<bob@example.org> RRVS=2014-04-03T23:01:00Z", 555, .invalidArguments),
    ]

    @Test("refuses unknown parameters with 555 5.5.4", arguments: unknownParameters)
    func unknownParameter(fixture: RefusedLine) {
        expectRefused(fixture)
    }

    static let repeatedParameters: [RefusedLine] = [
        .init("MAIL FROM:<> SIZE=1 SIZE=2", 501, .invalidArguments),
        .init("MAIL FROM:<> size=1 SIZE=1", 501, .invalidArguments),
        .init("MAIL FROM:<> BODY=7BIT BODY=8BITMIME", 501, .invalidArguments),
        .init("MAIL FROM:<> SMTPUTF8 SMTPUTF8", 501, .invalidArguments),
        .init("MAIL FROM:<> RET=FULL RET=HDRS", 501, .invalidArguments),
        .init("MAIL FROM:<> ENVID=a ENVID=a", 501, .invalidArguments),
        .init("MAIL FROM:<> AUTH=<> AUTH=<>", 501, .invalidArguments),
        .init("RCPT TO:<bob@example.org> NOTIFY=NEVER NOTIFY=NEVER", 501, .invalidArguments),
        .init("RCPT TO:<bob@example.org> ORCPT=rfc822;a@b ORCPT=rfc822;a@b", 501, .invalidArguments),
    ]

    @Test("refuses a repeated parameter with 501 5.5.4", arguments: repeatedParameters)
    func repeatedParameter(fixture: RefusedLine) {
        expectRefused(fixture)
    }

    // MARK: - BDAT and AUTH

    static let bdatLines: [AcceptedLine] = [
        .init("BDAT 0", .bdat(size: 0, last: false)),
        .init("BDAT 1000", .bdat(size: 1000, last: false)),
        .init("BDAT 0 LAST", .bdat(size: 0, last: true)),
        .init("bdat 5 last", .bdat(size: 5, last: true)),
        .init("BDAT  5   LAST  ", .bdat(size: 5, last: true)),
        .init("BDAT 1099511627776 LAST", .bdat(size: 1 << 40, last: true)),
    ]

    @Test("reads BDAT sizes and LAST", arguments: bdatLines)
    func bdat(fixture: AcceptedLine) {
        expectAccepted(fixture)
    }

    static let badBDATLines: [RefusedLine] = [
        .init("BDAT", 501, .invalidArguments),
        .init("BDAT LAST", 501, .invalidArguments),
        .init("BDAT x", 501, .invalidArguments),
        .init("BDAT -1", 501, .invalidArguments),
        .init("BDAT +5", 501, .invalidArguments),
        .init("BDAT 5 FIRST", 501, .invalidArguments),
        .init("BDAT 5 LAST now", 501, .invalidArguments),
        .init("BDAT 1099511627777", 501, .invalidArguments),
    ]

    @Test("refuses malformed BDAT with 501 5.5.4", arguments: badBDATLines)
    func badBDAT(fixture: RefusedLine) {
        expectRefused(fixture)
    }

    static let authLines: [AcceptedLine] = [
        .init("AUTH PLAIN", .auth(mechanism: "PLAIN", initialResponse: nil)),
        .init("auth plain AGFsaWNlAHNlY3JldA==", .auth(mechanism: "PLAIN", initialResponse: "AGFsaWNlAHNlY3JldA==")),
        .init("AUTH LOGIN", .auth(mechanism: "LOGIN", initialResponse: nil)),
        .init("AUTH login YWxpY2U=", .auth(mechanism: "LOGIN", initialResponse: "YWxpY2U=")),
        .init("AUTH  PLAIN   =", .auth(mechanism: "PLAIN", initialResponse: "=")),
        .init("AUTH CRAM-MD5", .auth(mechanism: "CRAM-MD5", initialResponse: nil)),
    ]

    @Test("reads AUTH with and without an initial response", arguments: authLines)
    func auth(fixture: AcceptedLine) {
        expectAccepted(fixture)
    }

    @Test("refuses AUTH without a mechanism or with extra words", arguments: [
        RefusedLine("AUTH", 501, .invalidArguments),
        RefusedLine("AUTH ", 501, .invalidArguments),
        RefusedLine("AUTH PLAIN abc def", 501, .invalidArguments),
    ])
    func badAuth(fixture: RefusedLine) {
        expectRefused(fixture)
    }
}
