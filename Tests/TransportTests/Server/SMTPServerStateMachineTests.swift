import Envelope
import Testing
@testable import Transport

private typealias Action = SMTPServerStateMachine.Action

/// base64 of `\0alice\0secret`, the RFC 4616 PLAIN response for alice.
private let alicePlain = "AGFsaWNlAHNlY3JldA=="

extension SMTPServerStateMachine.Action {
    /// The action in a few words for transcripts: `250 2.1.5`, `354 data`,
    /// `chunk 5`, `store`, `221 2.0.0 close`.
    var summary: String {
        func code(_ reply: SMTPReply) -> String {
            reply.status.map { "\(reply.code) \($0)" } ?? String(reply.code)
        }
        switch self {
        case .reply(let reply): return code(reply)
        case .replyAndClose(let reply): return code(reply) + " close"
        case .checkRecipient(let address, _): return "check \(address.localPart)"
        case .receiveData(let reply): return code(reply) + " data"
        case .receiveChunk(let size): return "chunk \(size)"
        case .store: return "store"
        case .startTLS(let reply): return code(reply) + " tls"
        case .authenticate(let user, let password): return "authenticate \(user):\(password)"
        }
    }

    var reply: SMTPReply? {
        switch self {
        case .reply(let reply), .replyAndClose(let reply), .receiveData(let reply), .startTLS(let reply): reply
        case .checkRecipient, .receiveChunk, .store, .authenticate: nil
        }
    }
}

/// Drives a state machine like a client would: feeds command lines and
/// answers `.checkRecipient` as the handler does, refusing the recipients
/// in `refusedDomains` with `550 5.7.1`.
private struct Client {
    var machine: SMTPServerStateMachine
    let refusedDomains: Set<String>

    init(tls: Bool = false, refusing refusedDomains: Set<String> = [], _ configure: (inout SMTPServerSettings) -> Void = { _ in }) {
        var settings = SMTPServerSettings(hostname: "mx.example")
        settings.maxMessageSize = 1000
        configure(&settings)
        machine = SMTPServerStateMachine(settings: settings, facts: SMTPSessionFacts(clientAddress: "192.0.2.7", tls: tls))
        self.refusedDomains = refusedDomains
    }

    mutating func send(_ line: String) -> Action {
        let action = machine.received(line: Array(line.utf8))
        guard case .checkRecipient(let address, _) = action else { return action }
        return machine.recipientChecked(rejection: refusedDomains.contains(address.domain) ? .relayDenied() : nil)
    }

    /// The summaries of the actions for these lines, in order.
    mutating func run(_ lines: String...) -> [String] {
        lines.map { send($0).summary }
    }

    /// EHLO, MAIL and one RCPT, all accepted.
    mutating func openTransaction(_ mail: String = "MAIL FROM:<alice@example.com>") {
        #expect(run("EHLO client.example", mail, "RCPT TO:<bob@example.org>") == ["250", "250 2.1.0", "250 2.1.5"])
    }

    /// The EHLO reply's lines after the greeting line.
    mutating func extensions() -> [String] {
        Array(send("EHLO client.example").reply?.lines.dropFirst() ?? [])
    }
}

/// Input and expected transcript for the sequence-error fixtures.
struct SessionCase: Sendable, CustomTestStringConvertible {
    let lines: [String]
    let summaries: [String]
    var testDescription: String { lines.joined(separator: " / ") }
}

@Suite("SMTPServerStateMachine")
struct SMTPServerStateMachineTests {
    // MARK: - Greeting and EHLO

    @Test("greets with the hostname and answers EHLO with every extension")
    func greetingAndEHLO() {
        var client = Client()
        #expect(client.machine.greeting().encoded(enhancedStatusCodes: false) == "220 mx.example ESMTP Tern\r\n")
        let reply = client.send("EHLO client.example").reply
        #expect(reply?.code == 250)
        #expect(reply?.lines == [
            "mx.example Hello client.example", "PIPELINING", "SIZE 1000", "8BITMIME", "SMTPUTF8", "DSN",
            "ENHANCEDSTATUSCODES", "CHUNKING",
        ])
        #expect(reply?.encoded(enhancedStatusCodes: true).hasPrefix("250-mx.example Hello client.example\r\n250-PIPELINING\r\n") == true)
        #expect(reply?.encoded(enhancedStatusCodes: true).hasSuffix("250 CHUNKING\r\n") == true)
        #expect(client.machine.facts.heloName == "client.example")
        #expect(client.machine.facts.extended)
    }

    struct OfferCase: Sendable, CustomTestStringConvertible {
        let startTLSAvailable: Bool
        let tls: Bool
        let auth: SMTPServerSettings.AuthPolicy
        let authWithoutTLS: Bool
        let offersSTARTTLS: Bool
        let offersAUTH: Bool
        var testDescription: String {
            "STARTTLS available \(startTLSAvailable), TLS \(tls), AUTH \(auth), without TLS \(authWithoutTLS)"
        }
    }

    @Test("EHLO offers STARTTLS only before TLS, AUTH only over TLS unless authWithoutTLS", arguments: [
        OfferCase(startTLSAvailable: false, tls: false, auth: .none, authWithoutTLS: false, offersSTARTTLS: false, offersAUTH: false),
        OfferCase(startTLSAvailable: true, tls: false, auth: .none, authWithoutTLS: false, offersSTARTTLS: true, offersAUTH: false),
        OfferCase(startTLSAvailable: true, tls: true, auth: .none, authWithoutTLS: false, offersSTARTTLS: false, offersAUTH: false),
        OfferCase(startTLSAvailable: true, tls: false, auth: .optional, authWithoutTLS: false, offersSTARTTLS: true, offersAUTH: false),
        OfferCase(startTLSAvailable: true, tls: false, auth: .required, authWithoutTLS: false, offersSTARTTLS: true, offersAUTH: false),
        OfferCase(startTLSAvailable: true, tls: true, auth: .optional, authWithoutTLS: false, offersSTARTTLS: false, offersAUTH: true),
        OfferCase(startTLSAvailable: false, tls: true, auth: .required, authWithoutTLS: false, offersSTARTTLS: false, offersAUTH: true),
        OfferCase(startTLSAvailable: false, tls: false, auth: .optional, authWithoutTLS: true, offersSTARTTLS: false, offersAUTH: true),
        OfferCase(startTLSAvailable: false, tls: false, auth: .none, authWithoutTLS: true, offersSTARTTLS: false, offersAUTH: false),
    ])
    func offers(fixture: OfferCase) {
        var client = Client(tls: fixture.tls) {
            $0.startTLSAvailable = fixture.startTLSAvailable
            $0.auth = fixture.auth
            $0.authWithoutTLS = fixture.authWithoutTLS
        }
        let extensions = client.extensions()
        #expect(extensions.contains("STARTTLS") == fixture.offersSTARTTLS)
        #expect(extensions.contains("AUTH PLAIN LOGIN") == fixture.offersAUTH)
    }

    @Test("enhanced status codes are sent only after EHLO")
    func enhancedStatusCodes() {
        var client = Client()
        #expect(!client.machine.enhancedStatusCodes)
        #expect(client.send("HELO client.example").reply?.encoded(enhancedStatusCodes: client.machine.enhancedStatusCodes) == "250 mx.example Hello client.example\r\n")
        #expect(!client.machine.enhancedStatusCodes)
        #expect(!client.machine.facts.extended)
        #expect(client.send("MAIL FROM:<>").reply?.encoded(enhancedStatusCodes: client.machine.enhancedStatusCodes) == "250 Ok\r\n")
        _ = client.send("EHLO client.example")
        #expect(client.machine.enhancedStatusCodes)
        #expect(client.send("NOOP").reply?.encoded(enhancedStatusCodes: client.machine.enhancedStatusCodes) == "250 2.0.0 Ok\r\n")
    }

    @Test("after HELO, MAIL and RCPT parameters are refused with 555")
    func heloRefusesParameters() {
        var client = Client()
        #expect(client.run(
            "HELO client.example", "MAIL FROM:<alice@example.com> SIZE=10", "MAIL FROM:<alice@example.com> BODY=8BITMIME",
            "MAIL FROM:<alice@example.com>", "RCPT TO:<bob@example.org> NOTIFY=NEVER", "RCPT TO:<bob@example.org>"
        ) == ["250", "555 5.5.4", "555 5.5.4", "250 2.1.0", "555 5.5.4", "250 2.1.5"])
    }

    @Test("EHLO in the middle of a transaction ends it")
    func ehloResets() {
        var client = Client()
        client.openTransaction()
        #expect(client.run("EHLO again.example", "RCPT TO:<bob@example.org>", "MAIL FROM:<>") == ["250", "503 5.5.1", "250 2.1.0"])
        #expect(client.machine.facts.heloName == "again.example")
    }

    // MARK: - Sequence

    static let sequenceErrors: [SessionCase] = [
        SessionCase(lines: ["MAIL FROM:<alice@example.com>"], summaries: ["503 5.5.1"]),
        SessionCase(lines: ["RCPT TO:<bob@example.org>"], summaries: ["503 5.5.1"]),
        SessionCase(lines: ["DATA"], summaries: ["503 5.5.1"]),
        SessionCase(lines: ["RSET", "MAIL FROM:<>"], summaries: ["250 2.0.0", "503 5.5.1"]),
        SessionCase(lines: ["EHLO c.example", "RCPT TO:<bob@example.org>"], summaries: ["250", "503 5.5.1"]),
        SessionCase(lines: ["EHLO c.example", "DATA"], summaries: ["250", "503 5.5.1"]),
        SessionCase(lines: ["EHLO c.example", "MAIL FROM:<>", "DATA"], summaries: ["250", "250 2.1.0", "554 5.5.1"]),
        SessionCase(lines: ["EHLO c.example", "MAIL FROM:<>", "MAIL FROM:<>"], summaries: ["250", "250 2.1.0", "503 5.5.1"]),
        SessionCase(
            lines: ["EHLO c.example", "MAIL FROM:<>", "RCPT TO:<bob@example.org>", "MAIL FROM:<alice@example.com>"],
            summaries: ["250", "250 2.1.0", "250 2.1.5", "503 5.5.1"]),
        SessionCase(lines: ["EHLO c.example", "MAIL FROM:<>", "RSET", "DATA"], summaries: ["250", "250 2.1.0", "250 2.0.0", "503 5.5.1"]),
    ]

    @Test("refuses commands out of sequence with 503 (554 for DATA without recipients)", arguments: sequenceErrors)
    func sequence(fixture: SessionCase) {
        var client = Client()
        #expect(fixture.lines.map { client.send($0).summary } == fixture.summaries)
    }

    @Test("a transaction goes MAIL, RCPT, DATA, store, 250 queued")
    func dataTransaction() {
        var client = Client()
        client.openTransaction("MAIL FROM:<alice@example.com> SIZE=200 BODY=8BITMIME ENVID=e1")
        #expect(client.run("RCPT TO:<carol@example.net> NOTIFY=SUCCESS,FAILURE") == ["250 2.1.5"])
        #expect(client.send("DATA") == .receiveData(.startMailInput))
        var parameters = MailParameters()
        parameters.size = 200
        parameters.body = .eightBitMIME
        parameters.envelopeID = "e1"
        let expected = SMTPTransaction(
            sender: .mailbox(MailAddress(localPart: "alice", domain: "example.com")),
            parameters: parameters,
            recipients: [
                (MailAddress(localPart: "bob", domain: "example.org"), RecipientParameters()),
                (MailAddress(localPart: "carol", domain: "example.net"), RecipientParameters(notify: [.success, .failure])),
            ])
        #expect(client.machine.dataEnded(size: 120, defects: [], rejectBareLineEndings: true) == .store(expected))
        let reply = client.machine.stored(.success("1A2B3C"))
        #expect(reply == .reply(SMTPReply(code: 250, status: .ok, "Ok: queued as 1A2B3C")))
        #expect(reply.reply?.encoded(enhancedStatusCodes: true) == "250 2.0.0 Ok: queued as 1A2B3C\r\n")
        #expect(client.machine.currentTransaction == nil)
        #expect(client.run("RCPT TO:<bob@example.org>", "MAIL FROM:<>") == ["503 5.5.1", "250 2.1.0"])
    }

    @Test("recipients the rules refuse get their reply, and DATA then gets 554 no valid recipients")
    func noValidRecipients() {
        var client = Client(refusing: ["example.org"])
        #expect(client.run(
            "EHLO c.example", "MAIL FROM:<>", "RCPT TO:<bob@example.org>", "RCPT TO:<carol@example.org>", "DATA"
        ) == ["250", "250 2.1.0", "550 5.7.1", "550 5.7.1", "554 5.5.1"])
        #expect(client.send("DATA").reply?.text == "No valid recipients")
        #expect(client.run("RCPT TO:<dave@example.net>", "DATA") == ["250 2.1.5", "354 data"])
        #expect(client.machine.currentTransaction?.recipients.map(\.address.localPart) == ["dave"])
    }

    @Test("recipients past the limit get 452 4.5.3, which is not counted as an error")
    func recipientLimit() {
        var client = Client { $0.maxRecipients = 2; $0.maxErrors = 2 }
        client.openTransaction()
        #expect(client.run(
            "RCPT TO:<carol@example.org>", "RCPT TO:<dave@example.org>", "RCPT TO:<erin@example.org>", "RCPT TO:<frank@example.org>"
        ) == ["250 2.1.5", "452 4.5.3", "452 4.5.3", "452 4.5.3"])
        #expect(client.machine.currentTransaction?.recipients.count == 2)
        #expect(!client.machine.isClosed)
        #expect(client.send("DATA").summary == "354 data")
    }

    // MARK: - Size and content

    @Test("SIZE over the limit is refused at MAIL with 552 5.3.4")
    func sizeAtMail() {
        var client = Client()
        #expect(client.run("EHLO c.example", "MAIL FROM:<> SIZE=1001", "MAIL FROM:<> SIZE=1000") == ["250", "552 5.3.4", "250 2.1.0"])
    }

    @Test("a message over the limit is refused at the end of DATA with 552 5.3.4")
    func sizeAtDataEnd() {
        var client = Client()
        client.openTransaction()
        _ = client.send("DATA")
        #expect(client.machine.dataEnded(size: 1001, defects: [], rejectBareLineEndings: true).summary == "552 5.3.4")
        #expect(client.machine.currentTransaction == nil)
        #expect(client.run("RCPT TO:<bob@example.org>") == ["503 5.5.1"])
    }

    struct DefectCase: Sendable, CustomTestStringConvertible {
        let defects: DataDefects
        let rejectBareLineEndings: Bool
        let summary: String
        var testDescription: String { "defects \(defects.rawValue), reject bare line endings \(rejectBareLineEndings)" }
    }

    @Test("bare CR or LF and long lines are refused at the end of DATA with 550 5.6.0", arguments: [
        DefectCase(defects: [], rejectBareLineEndings: true, summary: "store"),
        DefectCase(defects: .bareLF, rejectBareLineEndings: true, summary: "550 5.6.0"),
        DefectCase(defects: .bareCR, rejectBareLineEndings: true, summary: "550 5.6.0"),
        DefectCase(defects: [.bareCR, .bareLF], rejectBareLineEndings: true, summary: "550 5.6.0"),
        DefectCase(defects: [.bareCR, .bareLF], rejectBareLineEndings: false, summary: "store"),
        DefectCase(defects: .longLine, rejectBareLineEndings: true, summary: "550 5.6.0"),
        DefectCase(defects: .longLine, rejectBareLineEndings: false, summary: "550 5.6.0"),
    ])
    func defects(fixture: DefectCase) {
        var client = Client()
        client.openTransaction()
        _ = client.send("DATA")
        #expect(client.machine.dataEnded(size: 10, defects: fixture.defects, rejectBareLineEndings: fixture.rejectBareLineEndings).summary == fixture.summary)
        #expect((client.machine.currentTransaction == nil) == (fixture.summary != "store"))
    }

    @Test("BODY=BINARYMIME is sent with BDAT; DATA is refused with 503 (RFC 3030 §3)")
    func binaryMIME() {
        var client = Client()
        client.openTransaction("MAIL FROM:<> BODY=BINARYMIME")
        #expect(client.run("DATA", "BDAT 4 LAST") == ["503 5.5.1", "chunk 4"])
        #expect(client.machine.chunkEnded(size: 4).summary == "store")
    }

    // MARK: - SMTPUTF8

    @Test("non-ASCII addresses need SMTPUTF8 on MAIL, even after EHLO (553 5.6.7)")
    func smtpUTF8() {
        var client = Client()
        #expect(client.run(
            "EHLO c.example", "MAIL FROM:<jörg@example.com>", "MAIL FROM:<alice@example.com>", "RCPT TO:<jörg@example.org>",
            "RSET", "MAIL FROM:<jörg@example.com> SMTPUTF8", "RCPT TO:<björn@bücher.example>"
        ) == ["250", "553 5.6.7", "250 2.1.0", "553 5.6.7", "250 2.0.0", "250 2.1.0", "250 2.1.5"])
        #expect(client.machine.currentTransaction?.recipients.first?.address == MailAddress(localPart: "björn", domain: "bücher.example"))
    }

    // MARK: - Other commands and limits

    @Test("RSET, NOOP, VRFY, EXPN, HELP and QUIT")
    func simpleCommands() {
        var client = Client()
        #expect(client.run("NOOP", "VRFY alice", "EXPN staff", "HELP") == ["250 2.0.0", "252 2.5.0", "502 5.5.1", "214 2.0.0"])
        client.openTransaction()
        #expect(client.run("NOOP", "VRFY bob") == ["250 2.0.0", "252 2.5.0"])
        #expect(client.machine.currentTransaction?.recipients.count == 1)
        #expect(client.run("RSET") == ["250 2.0.0"])
        #expect(client.machine.currentTransaction == nil)
        #expect(client.run("MAIL FROM:<>") == ["250 2.1.0"])
        #expect(client.send("QUIT") == .replyAndClose(.closing("mx.example closing connection")))
        #expect(client.machine.isClosed)
        #expect(client.run("NOOP") == ["421 4.3.2 close"])
    }

    @Test("too many errors end the session with 421 4.7.0")
    func errorLimit() {
        var client = Client { $0.maxErrors = 3 }
        #expect(client.run("EHLO c.example", "BOGUS", "NOOP", "MAIL FROM:<bad", "NOOP") == ["250", "500 5.5.1", "250 2.0.0", "501 5.5.4", "250 2.0.0"])
        #expect(!client.machine.isClosed)
        #expect(client.run("RCPT TO:<bob@example.org>") == ["421 4.7.0 close"])
        #expect(client.machine.isClosed)
        #expect(client.run("NOOP", "QUIT") == ["421 4.3.2 close", "421 4.3.2 close"])
    }

    @Test("refused recipients count towards the error limit")
    func refusedRecipientsAreErrors() {
        var client = Client(refusing: ["example.org"]) { $0.maxErrors = 2 }
        #expect(client.run("EHLO c.example", "MAIL FROM:<>", "RCPT TO:<a@example.org>", "RCPT TO:<b@example.org>") == ["250", "250 2.1.0", "550 5.7.1", "421 4.7.0 close"])
    }

    @Test("an over-long command line is refused with 500 5.5.6")
    func overlongLine() {
        var client = Client()
        _ = client.send("EHLO c.example")
        #expect(client.machine.receivedOverlongLine().summary == "500 5.5.6")
        #expect(client.run("NOOP") == ["250 2.0.0"])
    }

    @Test("timeouts and shutdown close with 421")
    func timeoutAndShutdown() {
        var client = Client()
        client.openTransaction()
        #expect(client.machine.timedOut() == .replyAndClose(SMTPReply(code: 421, status: EnhancedStatus(4, 4, 2), "mx.example Timeout, closing transmission channel")))
        #expect(client.machine.isClosed)
        var other = Client()
        _ = other.send("DATA")
        #expect(other.machine.shuttingDown().summary == "421 4.3.2 close")
        #expect(other.machine.isClosed)
        #expect(other.run("EHLO c.example") == ["421 4.3.2 close"])
    }

    @Test("events out of turn are answered 451 and change nothing")
    func eventsOutOfTurn() {
        var client = Client()
        client.openTransaction()
        #expect(client.machine.dataEnded(size: 1, defects: [], rejectBareLineEndings: true).summary == "451 4.3.0")
        #expect(client.machine.chunkEnded(size: 1).summary == "451 4.3.0")
        #expect(client.machine.stored(.success("X")).summary == "451 4.3.0")
        #expect(client.machine.authenticated(user: "alice").summary == "451 4.3.0")
        #expect(client.machine.recipientChecked(rejection: nil).summary == "451 4.3.0")
        #expect(client.machine.facts.authenticatedUser == nil)
        #expect(client.machine.currentTransaction?.recipients.count == 1)
        #expect(client.run("DATA") == ["354 data"])
    }

    // MARK: - STARTTLS

    @Test("STARTTLS answers 220, then the session starts over: EHLO again, no STARTTLS offered")
    func startTLS() {
        var client = Client { $0.startTLSAvailable = true }
        #expect(client.extensions().contains("STARTTLS"))
        #expect(client.send("STARTTLS") == .startTLS(SMTPReply(code: 220, status: .ok, "Ready to start TLS")))
        client.machine.tlsEstablished()
        #expect(client.machine.facts.tls)
        #expect(client.machine.facts.heloName == nil)
        #expect(!client.machine.enhancedStatusCodes)
        #expect(client.run("MAIL FROM:<>") == ["503 5.5.1"])
        #expect(!client.extensions().contains("STARTTLS"))
        #expect(client.run("STARTTLS", "MAIL FROM:<>") == ["503 5.5.1", "250 2.1.0"])
    }

    @Test("STARTTLS is refused when not offered or inside a transaction")
    func startTLSRefused() {
        var unavailable = Client()
        #expect(unavailable.run("EHLO c.example", "STARTTLS") == ["250", "502 5.5.1"])
        var client = Client { $0.startTLSAvailable = true }
        client.openTransaction()
        #expect(client.run("STARTTLS") == ["503 5.5.1"])
        #expect(client.machine.currentTransaction != nil)
    }

    @Test("with tls-require, MAIL gets 530 5.7.0 until STARTTLS")
    func tlsRequired() {
        var client = Client { $0.startTLSAvailable = true; $0.tlsRequired = true }
        #expect(client.run("EHLO c.example", "MAIL FROM:<>", "STARTTLS") == ["250", "530 5.7.0", "220 2.0.0 tls"])
        client.machine.tlsEstablished()
        #expect(client.run("EHLO c.example", "MAIL FROM:<>") == ["250", "250 2.1.0"])
    }

    @Test("STARTTLS forgets an identity authenticated in clear text (RFC 3207 §4.2)")
    func startTLSForgetsAuthentication() {
        var client = Client { $0.startTLSAvailable = true; $0.auth = .optional; $0.authWithoutTLS = true }
        #expect(client.run("EHLO c.example", "AUTH PLAIN \(alicePlain)") == ["250", "authenticate alice:secret"])
        #expect(client.machine.authenticated(user: "alice").summary == "235 2.7.0")
        #expect(client.run("STARTTLS") == ["220 2.0.0 tls"])
        client.machine.tlsEstablished()
        #expect(client.machine.facts.authenticatedUser == nil)
        #expect(client.extensions().contains("AUTH PLAIN LOGIN"))
    }

    // MARK: - AUTH

    @Test("AUTH PLAIN with an initial response authenticates, then 235")
    func authPlain() {
        var client = Client(tls: true) { $0.auth = .optional }
        #expect(client.run("EHLO c.example", "AUTH PLAIN \(alicePlain)") == ["250", "authenticate alice:secret"])
        #expect(client.machine.authenticated(user: "alice") == .reply(SMTPReply(code: 235, status: EnhancedStatus(2, 7, 0), "Authentication successful")))
        #expect(client.machine.facts.authenticatedUser == "alice")
        #expect(client.machine.facts.receivedProtocol == "ESMTPSA")
        #expect(!client.extensions().contains("AUTH PLAIN LOGIN"))
        #expect(client.run("AUTH PLAIN \(alicePlain)", "MAIL FROM:<alice@example.com>") == ["503 5.5.1", "250 2.1.0"])
    }

    @Test("AUTH PLAIN without an initial response asks with an empty 334")
    func authPlainContinuation() {
        var client = Client(tls: true) { $0.auth = .optional }
        _ = client.send("EHLO c.example")
        let challenge = client.send("AUTH PLAIN")
        #expect(challenge.reply?.encoded(enhancedStatusCodes: true) == "334 \r\n")
        #expect(client.run(alicePlain) == ["authenticate alice:secret"])
        // An authorization identity is allowed; the authentication identity is the user.
        #expect(client.machine.authenticated(user: nil).summary == "535 5.7.8")
        #expect(client.run("AUTH PLAIN", "YWRtaW4AYWxpY2UAc2VjcmV0") == ["334", "authenticate alice:secret"])
    }

    @Test("AUTH LOGIN asks for the user name, then the password")
    func authLogin() {
        var client = Client(tls: true) { $0.auth = .optional }
        _ = client.send("EHLO c.example")
        #expect(client.send("AUTH LOGIN").reply?.encoded(enhancedStatusCodes: true) == "334 VXNlcm5hbWU6\r\n")
        #expect(client.send("YWxpY2U=").reply?.encoded(enhancedStatusCodes: true) == "334 UGFzc3dvcmQ6\r\n")
        #expect(client.run("c2VjcmV0") == ["authenticate alice:secret"])
        #expect(client.machine.authenticated(user: "alice").summary == "235 2.7.0")
        var initial = Client(tls: true) { $0.auth = .optional }
        #expect(initial.run("EHLO c.example", "AUTH LOGIN YWxpY2U=", "c2VjcmV0") == ["250", "334", "authenticate alice:secret"])
    }

    @Test("AUTH answers: cancel 501, bad base64 501, bad credentials 535, and the session goes on", arguments: [
        SessionCase(lines: ["AUTH PLAIN", "*", "NOOP"], summaries: ["334", "501 5.0.0", "250 2.0.0"]),
        SessionCase(lines: ["AUTH LOGIN", "YWxpY2U=", "*", "NOOP"], summaries: ["334", "334", "501 5.0.0", "250 2.0.0"]),
        SessionCase(lines: ["AUTH PLAIN", "not base64!", "NOOP"], summaries: ["334", "501 5.5.2", "250 2.0.0"]),
        SessionCase(lines: ["AUTH PLAIN not-base64!"], summaries: ["501 5.5.2"]),
        SessionCase(lines: ["AUTH PLAIN YWxpY2U="], summaries: ["501 5.5.2"]),
        SessionCase(lines: ["AUTH PLAIN AABzZWNyZXQ="], summaries: ["501 5.5.2"]),
        SessionCase(lines: ["AUTH LOGIN", ""], summaries: ["334", "501 5.5.2"]),
        SessionCase(lines: ["AUTH CRAM-MD5"], summaries: ["504 5.5.4"]),
        SessionCase(lines: ["MAIL FROM:<>", "AUTH PLAIN \(alicePlain)"], summaries: ["250 2.1.0", "503 5.5.1"]),
    ])
    func authFailures(fixture: SessionCase) {
        var client = Client(tls: true) { $0.auth = .optional }
        _ = client.send("EHLO c.example")
        #expect(fixture.lines.map { client.send($0).summary } == fixture.summaries)
        #expect(client.machine.facts.authenticatedUser == nil)
    }

    @Test("failed credentials get 535 5.7.8 and count as an error")
    func authRejected() {
        var client = Client(tls: true) { $0.auth = .optional; $0.maxErrors = 2 }
        #expect(client.run("EHLO c.example", "AUTH PLAIN \(alicePlain)") == ["250", "authenticate alice:secret"])
        #expect(client.machine.authenticated(user: nil) == .reply(SMTPReply(code: 535, status: .authenticationFailed, "Authentication credentials invalid")))
        #expect(client.run("AUTH PLAIN \(alicePlain)") == ["authenticate alice:secret"])
        #expect(client.machine.authenticated(user: nil).summary == "421 4.7.0 close")
    }

    @Test("AUTH is refused without TLS (538 5.7.11), when not offered (502) and after HELO (503)")
    func authRefused() {
        var plain = Client { $0.auth = .optional }
        #expect(plain.run("EHLO c.example", "AUTH PLAIN \(alicePlain)") == ["250", "538 5.7.11"])
        var none = Client(tls: true)
        #expect(none.run("EHLO c.example", "AUTH PLAIN \(alicePlain)") == ["250", "502 5.5.1"])
        var helo = Client(tls: true) { $0.auth = .optional }
        #expect(helo.run("HELO c.example", "AUTH PLAIN \(alicePlain)") == ["250", "503 5.5.1"])
        var early = Client(tls: true) { $0.auth = .optional }
        #expect(early.run("AUTH PLAIN \(alicePlain)") == ["503 5.5.1"])
    }

    @Test("with AUTH required, MAIL gets 530 5.7.0 until the client authenticates")
    func authRequired() {
        var client = Client(tls: true) { $0.auth = .required }
        #expect(client.run("EHLO c.example", "MAIL FROM:<>", "AUTH PLAIN \(alicePlain)") == ["250", "530 5.7.0", "authenticate alice:secret"])
        _ = client.machine.authenticated(user: "alice")
        #expect(client.run("MAIL FROM:<>") == ["250 2.1.0"])
    }

    @Test("an over-long line during AUTH ends the exchange")
    func overlongAuthLine() {
        var client = Client(tls: true) { $0.auth = .optional }
        #expect(client.run("EHLO c.example", "AUTH LOGIN") == ["250", "334"])
        #expect(client.machine.receivedOverlongLine().summary == "500 5.5.6")
        #expect(client.run("NOOP") == ["250 2.0.0"])
    }

    @Test("the Received protocol follows EHLO, TLS and AUTH (RFC 3848)")
    func receivedProtocol() {
        var client = Client(tls: false) { $0.auth = .optional; $0.authWithoutTLS = true }
        _ = client.send("HELO c.example")
        #expect(client.machine.facts.receivedProtocol == "SMTP")
        _ = client.send("EHLO c.example")
        #expect(client.machine.facts.receivedProtocol == "ESMTP")
        _ = client.send("AUTH PLAIN \(alicePlain)")
        _ = client.machine.authenticated(user: "alice")
        #expect(client.machine.facts.receivedProtocol == "ESMTPA")
        var tls = Client(tls: true)
        _ = tls.send("EHLO c.example")
        #expect(tls.machine.facts.receivedProtocol == "ESMTPS")
    }

    // MARK: - BDAT

    @Test("BDAT chunks then LAST store the message")
    func bdat() {
        var client = Client()
        client.openTransaction()
        #expect(client.run("BDAT 5") == ["chunk 5"])
        #expect(client.machine.chunkEnded(size: 5) == .reply(SMTPReply(code: 250, status: .ok, "5 octets received")))
        #expect(client.run("BDAT 0") == ["chunk 0"])
        #expect(client.machine.chunkEnded(size: 0).summary == "250 2.0.0")
        #expect(client.run("BDAT 3 LAST") == ["chunk 3"])
        guard case .store(let transaction) = client.machine.chunkEnded(size: 3) else {
            Issue.record("no store after BDAT LAST")
            return
        }
        #expect(transaction.recipients.map(\.address.localPart) == ["bob"])
        #expect(client.machine.stored(.success("ID")).summary == "250 2.0.0")
        #expect(client.machine.currentTransaction == nil)
    }

    @Test("BDAT without MAIL still reads its chunk, then replies 503")
    func bdatWithoutMail() {
        var client = Client()
        #expect(client.run("EHLO c.example", "BDAT 10 LAST") == ["250", "chunk 10"])
        #expect(client.machine.chunkEnded(size: 10).summary == "503 5.5.1")
        #expect(client.run("MAIL FROM:<>") == ["250 2.1.0"])
    }

    @Test("BDAT before HELO reads its chunk, replies 503 and still wants HELO")
    func bdatBeforeHello() {
        var client = Client()
        #expect(client.run("BDAT 3") == ["chunk 3"])
        #expect(client.machine.chunkEnded(size: 3).summary == "503 5.5.1")
        #expect(client.run("MAIL FROM:<>", "EHLO c.example", "MAIL FROM:<>") == ["503 5.5.1", "250", "250 2.1.0"])
    }

    @Test("a refused BDAT chunk fails the transaction (RFC 3030 §2)")
    func bdatWithoutRecipients() {
        var client = Client()
        #expect(client.run("EHLO c.example", "MAIL FROM:<>", "BDAT 4") == ["250", "250 2.1.0", "chunk 4"])
        #expect(client.machine.chunkEnded(size: 4).summary == "554 5.5.1")
        #expect(client.machine.currentTransaction == nil)
        #expect(client.run("BDAT 2 LAST") == ["chunk 2"])
        #expect(client.machine.chunkEnded(size: 2).summary == "503 5.5.1")
        #expect(client.run("MAIL FROM:<>") == ["250 2.1.0"])
    }

    @Test("DATA after BDAT is refused with 503")
    func dataAfterBDAT() {
        var client = Client()
        client.openTransaction()
        _ = client.send("BDAT 2")
        _ = client.machine.chunkEnded(size: 2)
        #expect(client.run("DATA") == ["503 5.5.1"])
        #expect(client.send("DATA").reply?.text == "DATA after BDAT")
    }

    @Test("chunks over the size limit in total are refused with 552 5.3.4")
    func bdatSizeLimit() {
        var client = Client()
        client.openTransaction()
        #expect(client.run("BDAT 600") == ["chunk 600"])
        #expect(client.machine.chunkEnded(size: 600).summary == "250 2.0.0")
        #expect(client.run("BDAT 401 LAST") == ["chunk 401"])
        #expect(client.machine.chunkEnded(size: 401).summary == "552 5.3.4")
        #expect(client.machine.currentTransaction == nil)
    }

    // MARK: - Storing

    @Test("a failed store gives the 4xx of SMTPStoreFailure, never a 5xx", arguments: [
        (SMTPStoreFailure.storageFull, "452 4.3.1"),
        (SMTPStoreFailure.localError, "451 4.3.0"),
        (SMTPStoreFailure(reply: SMTPReply(code: 450, status: EnhancedStatus(4, 2, 0), "Mailbox busy")), "450 4.2.0"),
        (SMTPStoreFailure(reply: SMTPReply(code: 554, status: .permanentFailure, "Journal refused the message")), "451 4.3.0"),
        (SMTPStoreFailure(reply: SMTPReply(code: 250, status: .ok, "Fine")), "451 4.3.0"),
    ])
    func storeFailure(failure: SMTPStoreFailure, summary: String) {
        var client = Client()
        client.openTransaction()
        _ = client.send("DATA")
        _ = client.machine.dataEnded(size: 10, defects: [], rejectBareLineEndings: true)
        #expect(client.machine.stored(.failure(failure)).summary == summary)
        #expect(client.machine.currentTransaction == nil)
        #expect(client.run("MAIL FROM:<>") == ["250 2.1.0"])
    }
}
