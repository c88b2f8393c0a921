import Envelope
import Testing
@testable import Transport

@Suite("SMTPServerCapabilities")
struct SMTPServerCapabilitiesTests {
    static func capabilities(_ lines: [String]) -> SMTPServerCapabilities {
        SMTPServerCapabilities(ehloReply: SMTPReply(code: 250, lines: ["mx.example.org greets you"] + lines))
    }

    @Test("reads every extension Tern uses")
    func readsAll() {
        let parsed = Self.capabilities([
            "PIPELINING", "SIZE 10240000", "8BITMIME", "SMTPUTF8", "DSN", "STARTTLS", "AUTH PLAIN LOGIN CRAM-MD5",
            "CHUNKING", "ENHANCEDSTATUSCODES", "VRFY", "ETRN",
        ])
        var expected = SMTPServerCapabilities()
        expected.serverName = "mx.example.org"
        expected.pipelining = true
        expected.size = 10_240_000
        expected.eightBitMIME = true
        expected.smtpUTF8 = true
        expected.dsn = true
        expected.startTLS = true
        expected.authMechanisms = ["PLAIN", "LOGIN", "CRAM-MD5"]
        expected.chunking = true
        expected.enhancedStatusCodes = true
        #expect(parsed == expected)
    }

    struct Fixture: Sendable, CustomTestStringConvertible {
        let lines: [String]
        let check: @Sendable (SMTPServerCapabilities) -> Bool
        let what: String
        var testDescription: String { what }
    }

    @Test("reads keywords leniently", arguments: [
        Fixture(lines: ["pipelining"], check: { $0.pipelining }, what: "lower-case keyword"),
        Fixture(lines: ["SIZE"], check: { $0.size == 0 }, what: "SIZE without a number: no fixed limit"),
        Fixture(lines: ["SIZE abc"], check: { $0.size == 0 }, what: "SIZE with garbage: no fixed limit"),
        Fixture(lines: ["SIZE -5"], check: { $0.size == 0 }, what: "negative SIZE: no fixed limit"),
        Fixture(lines: [], check: { $0.size == nil && !$0.pipelining && $0.authMechanisms.isEmpty }, what: "nothing announced"),
        Fixture(lines: ["AUTH=LOGIN PLAIN"], check: { $0.authMechanisms == ["LOGIN", "PLAIN"] }, what: "legacy AUTH= form"),
        Fixture(lines: ["AUTH login", "AUTH=PLAIN"], check: { $0.authMechanisms == ["LOGIN", "PLAIN"] }, what: "AUTH twice"),
        Fixture(lines: ["", "  ", "X-UNKNOWN foo"], check: { $0 == SMTPServerCapabilitiesTests.capabilities(["X-OTHER"]) }, what: "blank and unknown lines"),
    ])
    func lenient(_ fixture: Fixture) {
        #expect(fixture.check(Self.capabilities(fixture.lines)))
    }

    @Test("keeps the server name from the first line")
    func serverName() {
        #expect(SMTPServerCapabilities(ehloReply: SMTPReply(code: 250, "mx.example.org")).serverName == "mx.example.org")
        #expect(SMTPServerCapabilities(ehloReply: SMTPReply(code: 250, "")).serverName == nil)
    }
}
