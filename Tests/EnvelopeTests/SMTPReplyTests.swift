import Envelope
import Testing
import TestSupport

/// The wire lines of an encoded reply, without their CRLF; fails if any line lacks one.
private func wireLines(_ encoded: String) -> [Substring] {
    #expect(encoded.hasSuffix("\r\n"))
    var lines = encoded.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast()
        .map { Substring($0) }
    for index in lines.indices {
        #expect(lines[index].hasSuffix("\r"))
        lines[index] = lines[index].dropLast()
    }
    return lines
}

@Suite("SMTPReply")
struct SMTPReplyTests {
    @Test(
        "encodes single and multi-line replies with and without enhanced codes",
        arguments: [
            (SMTPReply(code: 250, "Ok"), false, "250 Ok\r\n"),
            (SMTPReply(code: 250, "Ok"), true, "250 Ok\r\n"),
            (SMTPReply(code: 250, status: .ok, "Ok"), true, "250 2.0.0 Ok\r\n"),
            (SMTPReply(code: 250, status: .ok, "Ok"), false, "250 Ok\r\n"),
            (
                SMTPReply(code: 250, lines: ["mx.example.com", "PIPELINING", "8BITMIME"]), true,
                "250-mx.example.com\r\n250-PIPELINING\r\n250 8BITMIME\r\n"
            ),
            (
                SMTPReply(code: 550, status: .relayDenied, lines: ["Relay access denied", "see policy"]), true,
                "550-5.7.1 Relay access denied\r\n550 5.7.1 see policy\r\n"
            ),
            (
                SMTPReply(code: 550, status: .relayDenied, lines: ["Relay access denied", "see policy"]), false,
                "550-Relay access denied\r\n550 see policy\r\n"
            ),
            (SMTPReply(code: 250, lines: []), false, "250 \r\n"),
            (SMTPReply(code: 250, status: .ok, ""), true, "250 2.0.0\r\n"),
            (SMTPReply(code: 250, status: .ok, lines: ["", "x"]), true, "250-2.0.0\r\n250 2.0.0 x\r\n"),
            (SMTPReply(code: 354, "End data with <CR><LF>.<CR><LF>"), true, "354 End data with <CR><LF>.<CR><LF>\r\n"),
        ])
    func encodes(reply: SMTPReply, enhanced: Bool, wire: String) {
        #expect(reply.encoded(enhancedStatusCodes: enhanced) == wire)
    }

    @Test(
        "replaces CR, LF and other controls so no text can inject a line",
        arguments: [
            ("Ok\r\n250 fake", "Ok  250 fake"),
            ("a\rb", "a b"),
            ("a\nb", "a b"),
            ("a\u{0}b", "a b"),
            ("a\u{7F}b", "a b"),
            ("a\u{1B}[31mb", "a [31mb"),
            ("tab\tkept", "tab\tkept"),
            ("ünïcödé stays", "ünïcödé stays"),
        ])
    func sanitizes(text: String, expected: String) {
        let wire = SMTPReply(code: 550, status: .permanentFailure, text).encoded(enhancedStatusCodes: true)
        #expect(wire == "550 5.0.0 " + expected + "\r\n")
        #expect(wireLines(wire).count == 1)
    }

    @Test("sanitizes every line of a multi-line reply")
    func sanitizesEveryLine() {
        let reply = SMTPReply(code: 250, lines: ["a\r\n250 evil", "b\n", "\r"])
        let lines = wireLines(reply.encoded(enhancedStatusCodes: false))
        #expect(lines == ["250-a  250 evil", "250-b ", "250  "])
    }

    @Test(
        "keeps every line within 512 octets by splitting, losing nothing",
        arguments: [(false, 506), (true, 500)])
    func splitsLongLines(enhanced: Bool, fitting: Int) {
        let status: EnhancedStatus = .ok
        let prefix = enhanced ? "250 2.0.0 " : "250 "
        let exact = SMTPReply(code: 250, status: status, String(repeating: "x", count: fitting))
        let exactLines = wireLines(exact.encoded(enhancedStatusCodes: enhanced))
        #expect(exactLines.count == 1)
        #expect(exactLines[0].utf8.count + 2 == 512)
        #expect(exactLines[0].hasPrefix(prefix))

        let over = SMTPReply(code: 250, status: status, String(repeating: "x", count: fitting + 1))
        let overLines = wireLines(over.encoded(enhancedStatusCodes: enhanced))
        #expect(overLines.count == 2)
        #expect(overLines[0].hasPrefix(enhanced ? "250-2.0.0 " : "250-"))
        #expect(overLines[1] == prefix + "x")
    }

    @Test("splits long UTF-8 text at scalar boundaries and keeps every octet")
    func splitsUTF8() {
        let text = String(repeating: "ö😀", count: 300)
        let reply = SMTPReply(code: 550, status: .mailboxUnknown, lines: [text, "tail"])
        let lines = wireLines(reply.encoded(enhancedStatusCodes: true))
        #expect(lines.count > 3)
        var rejoined = ""
        for line in lines.dropLast() {
            #expect(line.utf8.count + 2 <= SMTPReply.maximumLineLength)
            #expect(line.hasPrefix("550-5.1.1 "))
            rejoined += line.dropFirst(10)
        }
        #expect(rejoined == text)
        #expect(lines.last == "550 5.1.1 tail")
    }

    @Test("keeps random text on well-formed lines")
    func randomText() {
        var generator = SeededGenerator(seed: 5321)
        for _ in 0..<300 {
            let bytes = generator.bytes(Int.random(in: 0...1_200, using: &generator))
            let reply = SMTPReply(code: 451, status: .temporarySystemFailure, String(decoding: bytes, as: UTF8.self))
            let encoded = reply.encoded(enhancedStatusCodes: Bool.random(using: &generator))
            for line in wireLines(encoded) {
                #expect(line.utf8.count + 2 <= 512)
                #expect(!line.contains("\r") && !line.contains("\n"))
                // Octets, not Characters: random text may start with a combining mark.
                #expect(line.utf8.starts(with: "451-".utf8) || line.utf8.starts(with: "451 ".utf8))
            }
        }
    }

    @Test(
        "offers the common server replies",
        arguments: [
            (SMTPReply.ok(), 250, EnhancedStatus?.some(.ok), "250 2.0.0 Ok"),
            (.closing(), 221, .ok, "221 2.0.0 Bye"),
            (.startMailInput, 354, nil, "354 End data with <CR><LF>.<CR><LF>"),
            (.serviceNotAvailable(), 421, .systemNotAccepting, "421 4.3.2 Service not available, closing transmission channel"),
            (.localError(), 451, .temporarySystemFailure, "451 4.3.0 Local error in processing"),
            (.insufficientStorage(), 452, .systemStorageFull, "452 4.3.1 Insufficient system storage"),
            (.syntaxError(), 500, .syntaxError, "500 5.5.2 Syntax error, command unrecognized"),
            (.parameterSyntaxError(), 501, .invalidArguments, "501 5.5.4 Syntax error in parameters or arguments"),
            (.notImplemented(), 502, .invalidCommand, "502 5.5.1 Command not implemented"),
            (.badSequence(), 503, .invalidCommand, "503 5.5.1 Bad sequence of commands"),
            (.relayDenied(), 550, .relayDenied, "550 5.7.1 Relay access denied"),
        ])
    func commonReplies(reply: SMTPReply, code: Int, status: EnhancedStatus?, text: String) {
        #expect(reply.code == code)
        #expect(reply.status == status)
        #expect(reply.description == text)
        #expect(reply.encoded(enhancedStatusCodes: true) == text + "\r\n")
    }

    @Test("classifies reply codes by their first digit", arguments: [220, 250, 334, 354, 421, 452, 500, 554])
    func classification(code: Int) {
        let reply = SMTPReply(code: code, "x")
        let flags = [
            reply.isPositiveCompletion, reply.isPositiveIntermediate, reply.isTransientNegative, reply.isPermanentNegative,
        ]
        #expect(flags.filter { $0 }.count == 1)
        #expect(flags[code / 100 - 2])
    }

    @Test("joins its lines into one text for logs")
    func textAndDescription() {
        let reply = SMTPReply(code: 550, status: .mailboxUnknown, lines: ["no such", "user\r\nhere"])
        #expect(reply.text == "no such user\r\nhere")
        #expect(reply.description == "550 5.1.1 no such user  here")
    }
}
