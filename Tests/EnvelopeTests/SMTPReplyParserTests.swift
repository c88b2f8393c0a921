import Envelope
import Testing
import TestSupport

/// Feeds `lines` and returns every reply completed, or the first error.
private func feed(
    _ lines: [String], enhanced: Bool = true
) -> Result<[SMTPReply], SMTPReplyParseError> {
    var parser = SMTPReplyParser(enhancedStatusCodes: enhanced)
    var replies: [SMTPReply] = []
    for line in lines {
        do {
            if let reply = try parser.feed(line: line[...]) { replies.append(reply) }
        } catch {
            return .failure(error)
        }
    }
    return .success(replies)
}

@Suite("SMTPReplyParser")
struct SMTPReplyParserTests {
    @Test(
        "reads single and multi-line replies",
        arguments: [
            (["220 mx.example.org ESMTP"], SMTPReply(code: 220, "mx.example.org ESMTP")),
            (["250 Ok"], SMTPReply(code: 250, "Ok")),
            (["250 2.1.5 Ok"], SMTPReply(code: 250, status: .recipientOK, "Ok")),
            (["250 2.0.0"], SMTPReply(code: 250, status: .ok, "")),
            (["250"], SMTPReply(code: 250, "")),
            (["250 "], SMTPReply(code: 250, "")),
            (["250 Ok\r\n"], SMTPReply(code: 250, "Ok")),
            (["250 Ok\n"], SMTPReply(code: 250, "Ok")),
            (
                ["250-mx.example.org", "250-PIPELINING", "250-SIZE 10240000", "250 ENHANCEDSTATUSCODES"],
                SMTPReply(code: 250, lines: ["mx.example.org", "PIPELINING", "SIZE 10240000", "ENHANCEDSTATUSCODES"])
            ),
            (
                ["550-5.7.1 Relaying denied.", "550-5.7.1 See the policy at", "550 5.7.1 https://example.org/p"],
                SMTPReply(
                    code: 550, status: .relayDenied,
                    lines: ["Relaying denied.", "See the policy at", "https://example.org/p"])
            ),
            (["250-", "250 last"], SMTPReply(code: 250, lines: ["", "last"])),
            (["354 Go ahead"], SMTPReply(code: 354, "Go ahead")),
            (["421 4.3.2 Shutting down"], SMTPReply(code: 421, status: .systemNotAccepting, "Shutting down")),
        ])
    func reads(lines: [String], expected: SMTPReply) throws {
        let replies = try feed(lines).get()
        #expect(replies == [expected])
    }

    @Test("returns nil until the last line of a multi-line reply")
    func incremental() throws {
        var parser = SMTPReplyParser()
        #expect(!parser.isInsideReply)
        #expect(try parser.feed(line: "250-first") == nil)
        #expect(parser.isInsideReply)
        #expect(try parser.feed(line: "250-second") == nil)
        let reply = try parser.feed(line: "250 third")
        #expect(reply?.lines == ["first", "second", "third"])
        #expect(!parser.isInsideReply)
        #expect(try parser.feed(line: "221 2.0.0 Bye") == SMTPReply(code: 221, status: .ok, "Bye"))
    }

    @Test(
        "leaves the text alone unless every line has the same status of the code's class",
        arguments: [
            (["550-5.7.1 a", "550 5.7.2 b"], ["5.7.1 a", "5.7.2 b"]),
            (["550-5.7.1 a", "550 b"], ["5.7.1 a", "b"]),
            (["250 5.0.0 odd"], ["5.0.0 odd"]),
            (["550 2.0.0 odd"], ["2.0.0 odd"]),
            (["250 2.0.0x"], ["2.0.0x"]),
            (["250 2.0"], ["2.0"]),
            (["250  2.0.0 Ok"], [" 2.0.0 Ok"]),
        ])
    func keepsUnmatchedStatus(lines: [String], texts: [String]) throws {
        let reply = try #require(try feed(lines).get().first)
        #expect(reply.status == nil)
        #expect(reply.lines == texts)
    }

    @Test("does not look for status codes when told not to")
    func enhancedOff() throws {
        let replies = try feed(["250 2.1.5 Ok"], enhanced: false).get()
        #expect(replies == [SMTPReply(code: 250, "2.1.5 Ok")])
    }

    @Test(
        "refuses garbage and inconsistent codes",
        arguments: [
            ([""], SMTPReplyParseError.Kind.malformed), (["25"], .malformed), (["abc ok"], .malformed),
            (["150 ok"], .malformed), (["650 ok"], .malformed), (["260 ok"], .malformed), (["2x0 ok"], .malformed),
            (["2500 ok"], .malformed), (["250_ok"], .malformed), (["250\tok"], .malformed), ([" 250 ok"], .malformed),
            (["250-a", "251 b"], .malformed), (["250-a", "550 b"], .malformed), (["250-a", "garbage"], .malformed),
            (["250 a\rb"], .malformed), (["250 a\nb"], .malformed), (["250 ok\r\n\r\n"], .malformed),
            (["250 " + String(repeating: "x", count: 2_045)], .tooLong),
            (Array(repeating: "250-x", count: 128) + ["250 x"], .tooLong),
        ])
    func refuses(lines: [String], kind: SMTPReplyParseError.Kind) {
        guard case .failure(let error) = feed(lines) else {
            Issue.record("expected an error")
            return
        }
        #expect(error.kind == kind)
        #expect(error.description.utf8.allSatisfy { (0x20...0x7E).contains($0) })
    }

    @Test("accepts the longest line and the most lines allowed")
    func limits() throws {
        let longest = "250 " + String(repeating: "x", count: SMTPReplyParser.maximumLineLength - 4)
        #expect(try feed([longest]).get().count == 1)
        let most = Array(repeating: "250-x", count: SMTPReplyParser.maximumLineCount - 1) + ["250 x"]
        #expect(try feed(most).get().first?.lines.count == SMTPReplyParser.maximumLineCount)
    }

    @Test("names both codes when they disagree")
    func inconsistentDescription() {
        guard case .failure(let error) = feed(["250-a", "550 b"]) else {
            Issue.record("expected an error")
            return
        }
        #expect(error.description == "reply line has code 550 within a 250 reply")
    }

    @Test("starts afresh after an error")
    func resetsAfterError() throws {
        var parser = SMTPReplyParser()
        #expect(try parser.feed(line: "250-a") == nil)
        #expect(throws: SMTPReplyParseError.self) { try parser.feed(line: "251 b") }
        #expect(!parser.isInsideReply)
        #expect(try parser.feed(line: "220 fresh") == SMTPReply(code: 220, "fresh"))
    }

    @Test(
        "reads back what SMTPReply.encoded writes",
        arguments: [
            SMTPReply.ok(), .closing(), .startMailInput, .relayDenied(), .insufficientStorage(),
            SMTPReply(code: 250, lines: ["mx.example.org", "PIPELINING", "8BITMIME", "SMTPUTF8"]),
            SMTPReply(code: 550, status: .mailboxUnknown, lines: ["no such user", "", "really"]),
            SMTPReply(code: 452, status: .tooManyRecipients, "Too many recipients"),
        ])
    func roundTrip(reply: SMTPReply) throws {
        let lines = reply.encoded(enhancedStatusCodes: true).split(separator: "\r\n").map(String.init)
        #expect(try feed(lines).get() == [reply])
    }

    @Test("never crashes on random lines")
    func randomLines() {
        var generator = SeededGenerator(seed: 2034)
        var parser = SMTPReplyParser()
        var completed = 0
        for _ in 0..<3_000 {
            var bytes = generator.bytes(Int.random(in: 0...20, using: &generator))
            if Bool.random(using: &generator) {
                bytes = Array("25\(Int.random(in: 0...9, using: &generator))".utf8) + bytes
            }
            if (try? parser.feed(line: String(decoding: bytes, as: UTF8.self)[...])) != nil { completed += 1 }
        }
        #expect(completed > 0)
    }
}
