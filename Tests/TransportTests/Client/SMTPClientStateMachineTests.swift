import Envelope
import NIOCore
import Testing
@testable import Transport

/// The session part of the client: greeting, EHLO/HELO/LHLO, STARTTLS,
/// AUTH, time-outs, closing and malformed replies.
@Suite("SMTPClientStateMachine")
struct SMTPClientStateMachineTests {
    @Test("greets with EHLO and is ready with the announced extensions")
    func ehlo() {
        var script = ClientScript()
        #expect(script.machine.awaitedPhase == .greeting)
        #expect(script.server("220-mx.example.org ESMTP\r\n220 welcome") == [.send("EHLO client.example.com\r\n")])
        #expect(script.machine.awaitedPhase == .command)
        let actions = script.server("250-mx.example.org\r\n250-PIPELINING\r\n250 8BITMIME")
        var expected = SMTPServerCapabilities()
        expected.serverName = "mx.example.org"
        expected.pipelining = true
        expected.eightBitMIME = true
        #expect(actions == [.complete(.connected(expected))])
        #expect(script.machine.isReusable)
        #expect(script.machine.awaitedPhase == .idle)
    }

    @Test("falls back to HELO when EHLO is refused permanently", arguments: ["500 5.5.1 unrecognized", "502 not implemented", "550 no"])
    func heloFallback(refusal: String) {
        var script = ClientScript()
        script.server("220 old.example.org")
        #expect(script.server(refusal) == [.send("HELO client.example.com\r\n")])
        #expect(script.server("250 old.example.org") == [.complete(.connected(SMTPServerCapabilities()))])
    }

    @Test("LMTP greets with LHLO and never falls back to HELO")
    func lhlo() {
        var script = ClientScript(mode: .lmtp)
        #expect(script.server("220 lmtp.example.org LMTP") == [.send("LHLO client.example.com\r\n")])
        let actions = script.server("500 5.5.1 what")
        #expect(actions.first?.error?.kind == .refused)
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        let greeting: String
        let hello: String?
        let kind: DeliveryError.Kind
        let status: EnhancedStatus
        var testDescription: String { "\(greeting) / \(hello ?? "-")" }
    }

    @Test("a refused session is a temporary failure for the whole connection", arguments: [
        Refusal(greeting: "421 4.3.2 too busy", hello: nil, kind: .refused, status: .systemNotAccepting),
        Refusal(greeting: "450 come back later", hello: nil, kind: .refused, status: .noAnswerFromHost),
        Refusal(greeting: "554 5.7.1 no SMTP service here", hello: nil, kind: .refused, status: EnhancedStatus(4, 7, 1)),
        Refusal(greeting: "220 ok", hello: "421 4.4.2 closing", kind: .refused, status: .badConnection),
        Refusal(greeting: "220 ok", hello: "451 4.3.0 local problem", kind: .refused, status: .temporarySystemFailure),
    ])
    func refusedSession(_ fixture: Refusal) throws {
        var script = ClientScript()
        var actions = script.server(fixture.greeting)
        if let hello = fixture.hello { actions = script.server(hello) }
        let error = try #require(actions.last?.error)
        #expect(error.kind == fixture.kind)
        #expect(!error.isPermanent)
        #expect(error.enhancedStatus == fixture.status)
        #expect(error.remoteHost == ClientScript.remoteHost)
        #expect(error.reply != nil)
        #expect(script.machine.awaitedPhase == nil, "closed")
    }

    @Test("HELO refused after EHLO is a temporary failure")
    func heloRefused() throws {
        var script = ClientScript()
        script.server("220 ok")
        script.server("502 no EHLO")
        let error = try #require(script.server("554 5.7.1 go away").first?.error)
        #expect(error.kind == .refused)
        #expect(error.enhancedStatus == EnhancedStatus(4, 7, 1))
    }

    @Test("malformed replies end the session as a protocol violation", arguments: [
        "hello there", "2200 too many digits", "600 bad class", "220-first\r\n250 other code",
        "220\tbad separator", String(repeating: "x", count: 3000),
    ])
    func malformed(reply: String) throws {
        var script = ClientScript()
        let error = try #require(script.server(reply).last?.error, "\(reply)")
        #expect(error.kind == .protocolViolation)
        #expect(error.enhancedStatus == .badConnection)
        #expect(!error.isPermanent)
        #expect(script.server("220 late") == [], "nothing happens after the session ended")
    }

    @Test("a reply without a command while idle ends the session")
    func unsolicited() throws {
        var script = ClientScript()
        script.establish(extensions: [])
        let error = try #require(script.server("250 surprise").first?.error)
        #expect(error.kind == .protocolViolation)
        #expect(!script.machine.isReusable)
    }

    @Test("a 421 while idle closes the connection")
    func idleClosing() throws {
        var script = ClientScript()
        script.establish(extensions: [])
        let error = try #require(script.server("421 4.4.2 idle too long").first?.error)
        #expect(error.kind == .refused)
        #expect(!script.machine.isReusable)
    }

    // MARK: STARTTLS

    @Test("opportunistic TLS: STARTTLS when offered, then EHLO again under TLS")
    func startTLS() {
        var script = ClientScript(tls: .opportunistic)
        script.server("220 ok")
        #expect(script.server("250-mx.example.org\r\n250-PIPELINING\r\n250 STARTTLS") == [.send("STARTTLS\r\n")])
        #expect(script.server("220 2.0.0 go ahead") == [.startTLS])
        #expect(!script.machine.isTLSActive)
        #expect(script.machine.tlsStarted() == .send("EHLO client.example.com\r\n"))
        #expect(script.machine.isTLSActive)
        let actions = script.server("250-mx.example.org\r\n250 STARTTLS")
        guard case .complete(.connected(let capabilities))? = actions.first else {
            Issue.record("not connected: \(actions)")
            return
        }
        #expect(capabilities.startTLS)
        #expect(!capabilities.pipelining, "the capabilities from before TLS are forgotten")
    }

    @Test("opportunistic TLS goes on in plain text without STARTTLS or when it is refused")
    func opportunisticFallback() {
        var script = ClientScript(tls: .opportunistic)
        script.server("220 ok")
        #expect(script.server("250 mx.example.org")
            == [.complete(.connected({ var c = SMTPServerCapabilities(); c.serverName = "mx.example.org"; return c }()))])

        var refused = ClientScript(tls: .opportunistic)
        refused.server("220 ok")
        refused.server("250-mx.example.org\r\n250 STARTTLS")
        let actions = refused.server("454 4.7.0 TLS not available")
        guard case .complete(.connected)? = actions.first else {
            Issue.record("not connected: \(actions)")
            return
        }
        #expect(!refused.machine.isTLSActive)
    }

    @Test("required TLS fails when STARTTLS is missing or refused")
    func requiredTLS() throws {
        var missing = ClientScript(tls: .required)
        missing.server("220 ok")
        let notOffered = try #require(missing.server("250 mx.example.org").first?.error)
        #expect(notOffered.kind == .tls)
        #expect(notOffered.enhancedStatus == EnhancedStatus(4, 7, 4))
        #expect(!notOffered.isPermanent)

        var refused = ClientScript(tls: .requiredVerified(.init(serverName: "mx.example.org")))
        refused.server("220 ok")
        refused.server("250-mx.example.org\r\n250 STARTTLS")
        let error = try #require(refused.server("554 5.7.0 no").first?.error)
        #expect(error.kind == .tls)
        #expect(error.enhancedStatus == .temporarySecurityFailure)
    }

    @Test("bytes after the 220 to STARTTLS are refused")
    func injectionAfterStartTLS() throws {
        var script = ClientScript(tls: .required)
        script.server("220 ok")
        script.server("250-mx.example.org\r\n250 STARTTLS")
        #expect(script.server("220 go ahead") == [.startTLS])
        let error = try #require(script.machine.receivedDataBeforeTLS().error)
        #expect(error.kind == .protocolViolation)
        #expect(script.machine.tlsStarted() == .none)
    }

    @Test("implicit TLS counts as TLS from the start and never sends STARTTLS")
    func implicitTLS() {
        var script = ClientScript(tls: .implicit(nil))
        #expect(script.machine.isTLSActive)
        script.server("220 ok")
        let actions = script.server("250-mx.example.org\r\n250 STARTTLS")
        guard case .complete(.connected)? = actions.first else {
            Issue.record("not connected: \(actions)")
            return
        }
    }

    @Test("a failed handshake is a TLS failure")
    func handshakeFailure() throws {
        var script = ClientScript(tls: .required)
        script.server("220 ok")
        script.server("250-mx.example.org\r\n250 STARTTLS")
        script.server("220 go ahead")
        let error = try #require(script.machine.connectionFailed(.tls("certificate verify failed")).error)
        #expect(error.kind == .tls)
        #expect(error.enhancedStatus == EnhancedStatus(4, 7, 5))
    }

    // MARK: AUTH

    @Test("authenticates with PLAIN over TLS")
    func authPlain() {
        var script = ClientScript(tls: .implicit(nil), credentials: .init(username: "alice", password: "secret"))
        script.server("220 ok")
        #expect(script.server("250-mx.example.org\r\n250 AUTH LOGIN PLAIN") == [.send("AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n")])
        let actions = script.server("235 2.7.0 Authentication successful")
        guard case .complete(.connected)? = actions.first else {
            Issue.record("not connected: \(actions)")
            return
        }
    }

    @Test("authenticates with LOGIN when PLAIN is not offered")
    func authLogin() {
        var script = ClientScript(credentials: .init(username: "alice", password: "secret", allowsPlaintext: true))
        script.server("220 ok")
        #expect(script.server("250-mx.example.org\r\n250 AUTH=LOGIN") == [.send("AUTH LOGIN\r\n")])
        #expect(script.server("334 VXNlcm5hbWU6") == [.send("YWxpY2U=\r\n")])
        #expect(script.server("334 UGFzc3dvcmQ6") == [.send("c2VjcmV0\r\n")])
        let actions = script.server("235 2.7.0 ok")
        guard case .complete(.connected)? = actions.first else {
            Issue.record("not connected: \(actions)")
            return
        }
    }

    @Test("refuses to send credentials in plain text")
    func authNeedsTLS() throws {
        var script = ClientScript(credentials: .init(username: "alice", password: "secret"))
        script.server("220 ok")
        let error = try #require(script.server("250-mx.example.org\r\n250 AUTH PLAIN").first?.error)
        #expect(error.kind == .authentication)
        #expect(!error.isPermanent)
    }

    @Test("authentication failures are temporary", arguments: [
        ("250-mx.example.org\r\n250 AUTH CRAM-MD5", nil as String?, EnhancedStatus(4, 7, 0)),
        ("250-mx.example.org\r\n250 AUTH PLAIN", "535 5.7.8 bad credentials", EnhancedStatus(4, 7, 8)),
        ("250-mx.example.org\r\n250 AUTH PLAIN", "454 4.7.0 try later", EnhancedStatus(4, 7, 0)),
    ])
    func authFailures(ehlo: String, reply: String?, status: EnhancedStatus) throws {
        var script = ClientScript(tls: .implicit(nil), credentials: .init(username: "alice", password: "secret"))
        script.server("220 ok")
        var actions = script.server(ehlo)
        if let reply { actions = script.server(reply) }
        let error = try #require(actions.first?.error)
        #expect(error.kind == .authentication)
        #expect(!error.isPermanent)
        #expect(error.enhancedStatus == status)
    }

    // MARK: Time-outs, RSET, QUIT

    @Test("a time-out ends the session with the phase it was waiting for")
    func timeOut() throws {
        var script = ClientScript()
        let error = try #require(script.machine.timedOut().error)
        #expect(error.kind == .timeout)
        #expect(error.enhancedStatus == .badConnection)
        #expect("\(error)".contains("greeting"))
    }

    @Test("an idle session says QUIT when its idle time is up, then closes")
    func idleTimeout() {
        var script = ClientScript()
        script.establish(extensions: [])
        #expect(script.machine.timedOut() == .send("QUIT\r\n"))
        #expect(!script.machine.isReusable)
        #expect(script.server("221 2.0.0 bye") == [.completeAndClose(.quit)])
    }

    @Test("RSET on an idle session, and QUIT")
    func resetAndQuit() throws {
        var script = ClientScript()
        script.establish(extensions: [])
        #expect(script.machine.reset() == .send("RSET\r\n"))
        #expect(script.machine.reset().error?.kind == .notReady, "one request at a time")
        #expect(script.server("250 2.0.0 ok") == [.complete(.reset)])
        #expect(script.machine.quit() == .send("QUIT\r\n"))
        #expect(script.machine.connectionClosed() == .complete(.quit), "a close instead of 221 is fine")
        #expect(script.machine.quit() == .complete(.quit), "quitting a closed session is done at once")
    }

    @Test("a refused RSET ends the session")
    func resetRefused() throws {
        var script = ClientScript()
        script.establish(extensions: [])
        #expect(script.machine.reset() == .send("RSET\r\n"))
        let error = try #require(script.server("502 5.5.1 no").first?.error)
        #expect(error.kind == .protocolViolation)
    }

    @Test("requests wait for the session to be set up")
    func notReadyBeforeGreeting() {
        var script = ClientScript()
        #expect(script.start(ClientScript.transaction(["bob@example.org"])).error?.kind == .notReady)
        #expect(script.machine.quit().error?.kind == .notReady)
    }

    @Test("the connection closing mid-session is a lost connection")
    func closed() throws {
        var script = ClientScript()
        script.server("220 ok")
        let error = try #require(script.machine.connectionClosed().error)
        #expect(error.kind == .connection)
        #expect(error.enhancedStatus == .badConnection)
        #expect(script.machine.connectionClosed() == .none)
    }
}
