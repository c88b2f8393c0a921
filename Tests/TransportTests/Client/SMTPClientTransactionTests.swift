import Envelope
import NIOCore
import Testing
@testable import Transport

/// Mail transactions through `SMTPClientStateMachine`: pipelining, per-recipient
/// results, LMTP, DSN parameters, MAIL parameters, RSET and 421.
@Suite("SMTPClientTransaction")
struct SMTPClientTransactionTests {
    static let message = "Subject: test\r\n\r\nHello\r\n"

    /// Outcome, status and stage of each result, for compact comparisons.
    static func summary(_ results: [RecipientResult]?) -> [String] {
        (results ?? []).map { "\($0.index) \($0.outcome) \($0.enhancedStatus) \($0.stage.rawValue)" }
    }

    @Test("with PIPELINING, MAIL, every RCPT and DATA go out in one write")
    func pipelined() {
        var script = ClientScript()
        script.establish(extensions: ["PIPELINING"])
        let start = script.start(ClientScript.transaction(["bob@example.org", "carol@example.org"]))
        #expect(start == .send("MAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.org>\r\nRCPT TO:<carol@example.org>\r\nDATA\r\n"))
        #expect(script.machine.awaitedPhase == .mail)
        #expect(script.server("250 2.1.0 ok\r\n250 2.1.5 ok") == [])
        #expect(script.machine.awaitedPhase == .recipient)
        #expect(script.server("550 5.1.1 no such user") == [])
        #expect(script.machine.awaitedPhase == .data)
        #expect(script.server("354 go ahead") == [.sendMessage(ByteBuffer(string: Self.message + ".\r\n"))])
        #expect(script.machine.awaitedPhase == .dataEnd)
        let actions = script.server("250 2.0.0 queued as 1234")
        #expect(Self.summary(actions.first?.results) == [
            "0 delivered 2.0.0 end of data",
            "1 permanentFailure 5.1.1 RCPT TO",
        ])
        #expect(script.machine.isReusable)
    }

    @Test("without PIPELINING, each command waits for the previous reply")
    func lockStep() {
        var script = ClientScript()
        script.establish(extensions: [])
        #expect(script.start(ClientScript.transaction(["bob@example.org", "carol@example.org"]))
            == .send("MAIL FROM:<alice@example.com>\r\n"))
        #expect(script.server("250 ok") == [.send("RCPT TO:<bob@example.org>\r\n")])
        #expect(script.server("451 4.3.0 later") == [.send("RCPT TO:<carol@example.org>\r\n")])
        #expect(script.server("250 ok") == [.send("DATA\r\n")])
        #expect(script.server("354 go") == [.sendMessage(ByteBuffer(string: Self.message + ".\r\n"))])
        let results = script.server("250 ok").first?.results
        #expect(Self.summary(results) == ["0 temporaryFailure 4.3.0 RCPT TO", "1 delivered 2.0.0 end of data"])
        #expect(results?.allSatisfy { $0.remoteHost == ClientScript.remoteHost } == true)
    }

    @Test("carries several transactions over one session")
    func reuse() {
        var script = ClientScript()
        script.establish(extensions: ["PIPELINING"])
        for round in 0..<3 {
            #expect(script.machine.isReusable)
            script.start(ClientScript.transaction(["bob@example.org"]))
            script.server("250 ok\r\n250 ok\r\n354 go")
            let results = script.server("250 2.0.0 message \(round)").first?.results
            #expect(results?.first?.reply.text == "message \(round)")
        }
    }

    @Test("a refused sender refuses every recipient, without RSET", arguments: [false, true])
    func senderRefused(pipelining: Bool) {
        var script = ClientScript()
        script.establish(extensions: pipelining ? ["PIPELINING"] : [])
        script.start(ClientScript.transaction(["bob@example.org", "carol@example.org"]))
        var actions = script.server("553 5.7.1 sender rejected")
        if pipelining {
            #expect(actions == [])
            actions = script.server("503 5.5.1 need MAIL\r\n503 5.5.1 need MAIL\r\n554 5.5.1 no valid recipients")
        }
        #expect(Self.summary(actions.first?.results) == ["0 permanentFailure 5.7.1 MAIL FROM", "1 permanentFailure 5.7.1 MAIL FROM"])
        #expect(script.machine.isReusable)
    }

    @Test("when every recipient is refused, RSET ends the transaction")
    func allRecipientsRefused() {
        var script = ClientScript()
        script.establish(extensions: [])
        script.start(ClientScript.transaction(["bob@example.org"]))
        script.server("250 ok")
        #expect(script.server("550 5.1.1 unknown") == [.send("RSET\r\n")])
        let actions = script.server("250 2.0.0 reset")
        #expect(Self.summary(actions.first?.results) == ["0 permanentFailure 5.1.1 RCPT TO"])
        #expect(script.machine.isReusable)
    }

    @Test("a pipelined DATA refused after refused recipients ends with RSET")
    func pipelinedDataRefused() {
        var script = ClientScript()
        script.establish(extensions: ["PIPELINING"])
        script.start(ClientScript.transaction(["bob@example.org"]))
        #expect(script.server("250 ok\r\n550 5.1.1 unknown\r\n554 5.5.1 no valid recipients") == [.send("RSET\r\n")])
        let actions = script.server("250 ok")
        #expect(Self.summary(actions.first?.results) == ["0 permanentFailure 5.1.1 RCPT TO"])
    }

    @Test("a pipelined DATA accepted with no recipient gets only the terminating dot")
    func pipelinedDataWithoutRecipients() {
        var script = ClientScript()
        script.establish(extensions: ["PIPELINING"])
        script.start(ClientScript.transaction(["bob@example.org"]))
        #expect(script.server("250 ok\r\n550 5.1.1 unknown\r\n354 go ahead") == [.sendMessage(ByteBuffer(string: ".\r\n"))])
        let actions = script.server("554 5.5.1 empty message")
        #expect(Self.summary(actions.first?.results) == ["0 permanentFailure 5.1.1 RCPT TO"])
        #expect(script.machine.isReusable)
    }

    @Test("a refused DATA fails the accepted recipients and resets")
    func dataRefused() {
        var script = ClientScript()
        script.establish(extensions: [])
        script.start(ClientScript.transaction(["bob@example.org"]))
        script.server("250 ok")
        script.server("250 ok")
        #expect(script.server("451 4.3.0 not now") == [.send("RSET\r\n")])
        let actions = script.server("250 ok")
        #expect(Self.summary(actions.first?.results) == ["0 temporaryFailure 4.3.0 DATA"])
    }

    @Test("results without enhanced status get one by their class", arguments: [
        ("250 ok", "delivered 2.0.0"), ("452 full", "temporaryFailure 4.0.0"), ("554 refused", "permanentFailure 5.0.0"),
        ("354 confused", "temporaryFailure 4.0.0"),
    ])
    func defaultStatus(reply: String, expected: String) {
        var script = ClientScript()
        script.establish(extensions: ["PIPELINING"])
        script.start(ClientScript.transaction(["bob@example.org"]))
        script.server("250 ok\r\n250 ok\r\n354 go")
        let results = script.server(reply).first?.results
        #expect(Self.summary(results) == ["0 \(expected) end of data"])
    }

    @Test("LMTP: one reply per accepted recipient after the data, in order")
    func lmtp() {
        var script = ClientScript(mode: .lmtp)
        #expect(script.server("220 lmtp ready") == [.send("LHLO client.example.com\r\n")])
        script.server("250-lmtp.example.org\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES")
        script.start(ClientScript.transaction(["a@example.org", "b@example.org", "c@example.org", "d@example.org"]))
        #expect(script.server("250 2.1.0 ok\r\n250 2.1.5 ok\r\n550 5.1.1 unknown\r\n250 2.1.5 ok\r\n250 2.1.5 ok").isEmpty)
        #expect(script.server("354 go").count == 1)
        #expect(script.server("250 2.0.0 a delivered") == [])
        #expect(script.server("452 4.2.2 c is over quota") == [])
        let actions = script.server("250 2.0.0 d delivered")
        #expect(Self.summary(actions.first?.results) == [
            "0 delivered 2.0.0 end of data",
            "1 permanentFailure 5.1.1 RCPT TO",
            "2 temporaryFailure 4.2.2 end of data",
            "3 delivered 2.0.0 end of data",
        ])
        #expect(actions.first?.results?[3].reply.text == "d delivered")
    }

    @Test("LMTP: recipients answered before the connection broke are settled")
    func lmtpBroken() throws {
        var script = ClientScript(mode: .lmtp)
        script.server("220 ready")
        script.server("250-lmtp\r\n250 PIPELINING")
        script.start(ClientScript.transaction(["a@example.org", "b@example.org", "c@example.org"]))
        script.server("250 ok\r\n550 5.1.1 unknown\r\n250 ok\r\n250 ok\r\n354 go")
        script.server("250 2.0.0 b delivered")
        let error = try #require(script.machine.connectionClosed().error)
        #expect(error.kind == .connection)
        #expect(!error.isPermanent)
        // c was accepted but never answered: it shares the error.
        #expect(Self.summary(error.settledResults) == ["0 permanentFailure 5.1.1 RCPT TO", "1 delivered 2.0.0 end of data"])
    }

    @Test("a 421 mid-transaction answers for every outstanding reply and closes", arguments: [
        ("", ["0 temporaryFailure 4.3.2 MAIL FROM", "1 temporaryFailure 4.3.2 MAIL FROM"]),
        ("250 ok\r\n", ["0 temporaryFailure 4.3.2 RCPT TO", "1 temporaryFailure 4.3.2 RCPT TO"]),
        ("250 ok\r\n550 5.1.1 no\r\n", ["0 permanentFailure 5.1.1 RCPT TO", "1 temporaryFailure 4.3.2 RCPT TO"]),
        ("250 ok\r\n250 ok\r\n250 ok\r\n", ["0 temporaryFailure 4.3.2 DATA", "1 temporaryFailure 4.3.2 DATA"]),
        ("250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n", ["0 temporaryFailure 4.3.2 end of data", "1 temporaryFailure 4.3.2 end of data"]),
    ])
    func closingMidTransaction(before: String, expected: [String]) {
        var script = ClientScript()
        script.establish(extensions: ["PIPELINING"])
        script.start(ClientScript.transaction(["bob@example.org", "carol@example.org"]))
        script.server(before)
        let actions = script.server("421 4.3.2 shutting down")
        guard case .completeAndClose(.transaction(let results))? = actions.first else {
            Issue.record("not closed: \(actions)")
            return
        }
        #expect(Self.summary(results) == expected)
        #expect(!script.machine.isReusable)
    }

    @Test("a time-out mid-transaction keeps the results already settled")
    func timeoutMidTransaction() throws {
        var script = ClientScript()
        script.establish(extensions: ["PIPELINING"])
        script.start(ClientScript.transaction(["bob@example.org", "carol@example.org"]))
        script.server("250 ok\r\n550 5.1.1 unknown")
        #expect(script.machine.awaitedPhase == .recipient)
        let error = try #require(script.machine.timedOut().error)
        #expect(error.kind == .timeout)
        #expect("\(error)".contains("recipient"))
        #expect(Self.summary(error.settledResults) == ["0 permanentFailure 5.1.1 RCPT TO"])
    }

    // MARK: DSN and MAIL parameters

    @Test("passes DSN parameters on only to servers that announce DSN", arguments: [true, false])
    func dsnPassThrough(announced: Bool) {
        var script = ClientScript()
        script.establish(extensions: ["PIPELINING"] + (announced ? ["DSN"] : []))
        let transaction = ClientScript.transaction(
            ["bob+x@example.org"], envelopeID: "QQ 314159", ret: .headers, notify: [.success, .failure])
        let start = script.start(transaction)
        let expected =
            announced
            ? "MAIL FROM:<alice@example.com> RET=HDRS ENVID=QQ+20314159\r\n"
                + "RCPT TO:<bob+x@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob+2Bx@example.org\r\nDATA\r\n"
            : "MAIL FROM:<alice@example.com>\r\nRCPT TO:<bob+x@example.org>\r\nDATA\r\n"
        #expect(start == .send(expected))
        script.server("250 ok\r\n250 ok\r\n354 go")
        let results = script.server("250 ok").first?.results
        #expect(results?.first?.dsnPassedOn == announced)
    }

    @Test("declares SIZE, 8BITMIME and SMTPUTF8 when the server offers them and the message needs them")
    func mailParameters() {
        var script = ClientScript()
        script.establish(extensions: ["SIZE 1000000", "8BITMIME", "SMTPUTF8"])
        let body = "Subject: caf\u{E9}\r\n\r\n\u{FC}ber\r\n"
        let transaction = OutboundTransaction(
            sender: .mailbox(MailAddress(localPart: "j\u{F6}rg", domain: "example.com")),
            recipients: [OutboundRecipient(address: MailAddress(localPart: "bob", domain: "example.org"))],
            body: Array(body.utf8))
        #expect(transaction.requiresSMTPUTF8 && transaction.containsEightBitData)
        #expect(script.start(transaction)
            == .send("MAIL FROM:<j\u{F6}rg@example.com> SIZE=\(body.utf8.count) BODY=8BITMIME SMTPUTF8\r\n"))
    }

    @Test("a 7-bit ASCII message needs no parameters; SIZE only when announced")
    func plainMessage() {
        var script = ClientScript()
        script.establish(extensions: ["8BITMIME", "SMTPUTF8", "SIZE"])
        #expect(script.start(ClientScript.transaction(["bob@example.org"]))
            == .send("MAIL FROM:<alice@example.com> SIZE=\(Self.message.utf8.count)\r\n"))
    }

    struct Unsupported: Sendable, CustomTestStringConvertible {
        let extensions: [String]
        let transaction: OutboundTransaction
        let status: EnhancedStatus
        let what: String
        var testDescription: String { what }
    }

    @Test("refuses, permanently and before sending anything, what the server cannot take", arguments: [
        Unsupported(
            extensions: ["8BITMIME"], transaction: ClientScript.transaction(["bob@example.org"], smtpUTF8: true),
            status: .nonASCIIAddressNotPermitted, what: "UTF-8 headers without SMTPUTF8"),
        Unsupported(
            extensions: ["8BITMIME"], transaction: ClientScript.transaction(["b\u{F6}b@example.org"]),
            status: .nonASCIIAddressNotPermitted, what: "UTF-8 address without SMTPUTF8"),
        Unsupported(
            extensions: ["SMTPUTF8"], transaction: ClientScript.transaction(["bob@example.org"], body: "\u{FC}\r\n"),
            status: EnhancedStatus(5, 6, 3), what: "8-bit body without 8BITMIME"),
        Unsupported(
            extensions: ["SIZE 10"], transaction: ClientScript.transaction(["bob@example.org"]),
            status: .messageTooBig, what: "bigger than SIZE"),
    ])
    func unsupported(_ fixture: Unsupported) throws {
        var script = ClientScript()
        script.establish(extensions: fixture.extensions)
        let action = script.start(fixture.transaction)
        guard case .rejectRequest(let error) = action else {
            Issue.record("not refused: \(action)")
            return
        }
        #expect(error.isPermanent)
        #expect(error.kind == .unsupported)
        #expect(error.enhancedStatus == fixture.status)
        #expect(script.machine.isReusable, "nothing was sent; the session is still usable")
    }

    @Test("a transaction without recipients completes at once")
    func noRecipients() {
        var script = ClientScript()
        script.establish(extensions: [])
        #expect(script.start(ClientScript.transaction([])) == .complete(.transaction([])))
    }
}
