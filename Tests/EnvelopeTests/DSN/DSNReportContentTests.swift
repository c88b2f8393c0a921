import Envelope
import Foundation
import Testing

private typealias F = DSNFixtures

private func read(_ report: DSNReport?) throws -> DSNMessageReader {
    try DSNMessageReader(try #require(report).message())
}

private func contentTypes(_ reader: DSNMessageReader) -> [String] {
    reader.parts.map { $0.value("Content-Type") ?? "" }
}

/// `text` with every run of white space, line breaks included, made one space.
private func words(_ text: String) -> String {
    text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
}

/// The explanation part decoded: quoted-printable undone where used.
private func explanation(_ reader: DSNMessageReader) throws -> String {
    let part = try #require(reader.parts.first)
    guard part.value("Content-Transfer-Encoding") == "quoted-printable" else { return part.text }
    var octets: [UInt8] = []
    let body = part.body
    var index = 0
    while index < body.count {
        if body[index] == UInt8(ascii: "="), index + 2 < body.count {
            if body[index + 1] == 0x0D, body[index + 2] == 0x0A {
                index += 3
                continue
            }
            let hex = String(decoding: body[(index + 1)...(index + 2)], as: UTF8.self)
            octets.append(try #require(UInt8(hex, radix: 16)))
            index += 3
        } else {
            octets.append(body[index])
            index += 1
        }
    }
    return String(decoding: octets, as: UTF8.self)
}

@Suite("DSNReport content")
struct DSNReportContentTests {
    // MARK: Top-level header

    @Test("the top-level header names the reporter, the sender and the original message")
    func topHeader() throws {
        let reader = try read(F.report())
        #expect(reader.value("From") == "Mail Delivery System <MAILER-DAEMON@mx.example.com>")
        #expect(reader.value("To") == "<alice@example.com>")
        #expect(reader.value("Date") == "Wed, 25 Nov 2026 11:25:27 +0000")
        #expect(reader.value("Message-ID") == "<\(F.reportID)@mx.example.com>")
        #expect(reader.value("In-Reply-To") == "<lunch.42@client.example.com>")
        #expect(reader.value("References") == "<lunch.42@client.example.com>")
        #expect(reader.value("Auto-Submitted") == "auto-replied")
        #expect(reader.value("MIME-Version") == "1.0")
        #expect(
            reader.value("Content-Type")
                == "multipart/report; report-type=delivery-status; boundary=\"=_tern-dsn-\(F.reportID)\"")
    }

    @Test("From can be configured; a display name with specials is quoted")
    func configuredFrom() throws {
        let postmaster = MailAddress(localPart: "postmaster", domain: "example.com")
        let options = DSNOptions(fromName: "Tern (mail \"system\")", fromAddress: postmaster, timeZone: F.utc)
        let reader = try read(F.report(options: options))
        #expect(reader.value("From") == #""Tern (mail \"system\")" <postmaster@example.com>"#)
    }

    @Test(
        "In-Reply-To comes from the first valid Message-ID, unfolded, or is left out",
        arguments: [
            ("Message-ID: <a.1@example.com>\n", "<a.1@example.com>"),
            ("message-id:<a.1@example.com>\n", "<a.1@example.com>"),
            ("Message-ID:\n <folded@example.com>\n", "<folded@example.com>"),
            ("Message-ID: (comment) <c@example.com> (more)\n", "<c@example.com>"),
            ("Message-ID: <first@example.com>\nMessage-ID: <second@example.com>\n", "<first@example.com>"),
            ("Subject: x\n", nil),
            ("Message-ID: no-brackets@example.com\n", nil),
            ("Message-ID: <no-at-sign>\n", nil),
            ("Message-ID: <sp ace@example.com>\n", nil),
            ("Message-ID: <\u{7}@example.com>\n", nil),
            ("Message-ID: <\(String(repeating: "x", count: 300))@example.com>\n", nil),
            ("Message-ID: <grüße@example.com>\n", nil),
            ("X-Note: Message-ID: <not@this.one>\n", nil),
        ] as [(String, String?)])
    func inReplyTo(header: String, expected: String?) throws {
        let reader = try read(F.report(original: F.crlf(header + "Subject: x\n\nbody\n")))
        #expect(reader.value("In-Reply-To") == expected)
        #expect(reader.value("References") == expected)
    }

    @Test(
        "the subject says what happened",
        arguments: [
            ([DSNAction.failed], "Undelivered Mail Returned to Sender"),
            ([.failed, .failed], "Undelivered Mail Returned to Sender"),
            ([.failed, .delayed], "Undelivered Mail Returned to Sender (Partial)"),
            ([.delivered, .failed], "Undelivered Mail Returned to Sender (Partial)"),
            ([.delayed], "Delayed Mail (still being retried)"),
            ([.delivered], "Successful Mail Delivery Report"),
            ([.delivered, .relayed, .expanded], "Successful Mail Delivery Report"),
            ([.relayed], "Mail Relayed"),
            ([.expanded], "Mail Expanded to Further Recipients"),
            ([.relayed, .expanded], "Delivery Status Notification"),
            ([.delayed, .delivered], "Delivery Status Notification"),
        ])
    func subject(actions: [DSNAction], expected: String) throws {
        let recipients = actions.map { action in
            DSNRecipientReport(finalRecipient: F.bob, action: action, status: action.defaultStatus)
        }
        let report = try #require(F.report(recipients: recipients))
        #expect(report.subject == expected)
        #expect(try read(report).value("Subject") == expected)
    }

    @Test("no report for the null sender or for no recipients")
    func noReport() {
        #expect(F.report(envelope: F.envelope(sender: .null)) == nil)
        #expect(F.report(recipients: []) == nil)
    }

    // MARK: The explanation

    @Test("a failure quotes the remote reply and never says delivered")
    func failureExplanation() throws {
        let reply = "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown in virtual mailbox table"
        let text = try explanation(try read(F.report(recipients: [F.failed(reply: reply), F.failed(F.carol)])))
        #expect(!text.lowercased().contains("delivered"))
        #expect(text.contains("Delivery failed, and the mail system has given up."))
        #expect(text.contains("The server mx.example.org replied:"))
        // The reply is wrapped, but every word of it is there in order.
        #expect(words(text).contains(reply))
        #expect(text.contains("Status: 5.1.1 (Bad destination mailbox address)"))
    }

    @Test("a delay says until when the mail system keeps trying")
    func delayExplanation() throws {
        let text = try explanation(try read(F.report(recipients: [F.delayed()])))
        let flat = words(text)
        #expect(flat.contains("will keep trying until Sun, 29 Nov 2026 11:20:27 +0000."))
        #expect(flat.contains("you do not need to send the message again"))
        #expect(flat.contains("421 4.4.1 mx.example.net busy, try later"))
        var open = F.delayed()
        open.willRetryUntil = nil
        let openText = try explanation(try read(F.report(recipients: [open])))
        #expect(openText.contains("will keep trying for a while."))
    }

    @Test(
        "the explanation says what is attached and why less",
        arguments: [
            (DSNReturn.full, 64 * 1024, nil, "Your message is attached below."),
            (.headers, 64 * 1024, nil, "The headers of your message are attached below."),
            (.full, 300, nil, "Your message is larger than 300 bytes, so only its headers are attached below."),
            (.full, 100, nil, "The headers of your message alone are larger than 100 bytes, so it is not attached."),
            (.full, 64 * 1024, "Subject: x\n\n" + String(repeating: "y", count: 999) + "\n",
             "Your message has lines that cannot be attached unchanged, so only its headers are attached below."),
            (.headers, 64 * 1024, "Subject: x\ry\n\nbody\n",
             "Your message has lines that cannot be attached unchanged, so it is not attached."),
        ] as [(DSNReturn, Int, String?, String)])
    func attachmentNote(ret: DSNReturn, limit: Int, original: String?, note: String) throws {
        let options = DSNOptions(maximumReturnedSize: limit, timeZone: F.utc)
        let content = original.map(F.crlf) ?? F.message
        let reader = try read(F.report(envelope: F.envelope(ret: ret), original: content, options: options))
        let text = try explanation(reader)
        let flat = words(text)
        #expect(flat.contains(note))
    }

    @Test("UTF-8 in a 7-bit report travels quoted-printable")
    func quotedPrintableExplanation() throws {
        let report = try #require(F.report(recipients: [F.failed(reply: "550 5.1.1 Empfänger unbekannt")]))
        #expect(!report.isInternational)
        #expect(!report.requires8BitMIME)
        let reader = try DSNMessageReader(report.message())
        #expect(reader.parts[0].value("Content-Transfer-Encoding") == "quoted-printable")
        #expect(try explanation(reader).contains("Empfänger unbekannt"))
        // The delivery-status part stays 7-bit: the character becomes `?`.
        #expect(reader.parts[1].text.contains("Empf?nger unbekannt"))
    }

    // MARK: Returned content

    @Test(
        "what returns follows RET, the site default, and whether anything failed",
        arguments: [
            (DSNReturn?.some(.full), DSNReturn.headers, [DSNAction.failed], DSNReturnedContent.Scope.message),
            (.headers, .full, [.failed], .headers),
            (nil, .full, [.failed], .message),
            (nil, .headers, [.failed], .headers),
            (.full, .full, [.delayed], .headers),
            (.full, .full, [.delivered], .headers),
            (.full, .full, [.relayed, .expanded], .headers),
            (.full, .full, [.delayed, .failed], .message),
        ])
    func returnScope(ret: DSNReturn?, fallback: DSNReturn, actions: [DSNAction], scope: DSNReturnedContent.Scope)
        throws
    {
        let recipients = actions.map { DSNRecipientReport(finalRecipient: F.bob, action: $0, status: $0.defaultStatus) }
        let options = DSNOptions(defaultReturn: fallback, timeZone: F.utc)
        let report = try #require(F.report(envelope: F.envelope(ret: ret), recipients: recipients, options: options))
        #expect(report.returnedContent.scope == scope)
        let reader = try DSNMessageReader(report.message())
        let expectedType = scope == .message ? "message/rfc822" : "text/rfc822-headers"
        #expect(reader.parts.last?.value("Content-Type") == expectedType)
        let header = Array(F.message[..<295])
        #expect(reader.parts.last?.body == (scope == .message ? F.message : header))
    }

    @Test("without the original content there is no third part")
    func noOriginal() throws {
        let report = try #require(F.report(original: nil))
        #expect(report.returnedContent.scope == .nothing)
        #expect(report.originalMessageID == nil)
        let reader = try read(report)
        #expect(reader.parts.count == 2)
        #expect(reader.value("In-Reply-To") == nil)
    }

    // MARK: International reports (RFC 6533)

    @Test(
        "SMTPUTF8 or a UTF-8 address makes every part global",
        arguments: [
            ("SMTPUTF8, ASCII addresses", F.envelope(flags: [.smtpUTF8]), F.bob, false),
            ("UTF-8 final recipient", F.envelope(), F.jorg, false),
            ("UTF-8 sender", F.envelope(sender: .mailbox(MailAddress(localPart: "ålice", domain: "example.com"))),
             F.bob, true),
        ])
    func globalTypes(name: String, envelope: Envelope, recipient: MailAddress, needsSMTPUTF8: Bool) throws {
        let report = try #require(F.report(envelope: envelope, recipients: [F.failed(recipient)]))
        #expect(report.isInternational, "\(name)")
        #expect(report.requiresSMTPUTF8 == needsSMTPUTF8, "\(name)")
        let reader = try read(report)
        #expect(contentTypes(reader) == [
            "text/plain; charset=utf-8", "message/global-delivery-status", "message/global",
        ], "\(name)")
        let type = recipient.requiresSMTPUTF8 ? "utf-8" : "rfc822"
        #expect(reader.parts[1].text.contains("Final-Recipient: \(type); \(recipient)\r\n"), "\(name)")
    }

    @Test("a global report of headers only uses message/global-headers")
    func globalHeaders() throws {
        let report = try #require(
            F.report(envelope: F.envelope(ret: .headers, flags: [.smtpUTF8]), original: F.internationalMessage))
        #expect(contentTypes(try read(report)).last == "message/global-headers")
        #expect(report.requires8BitMIME)
    }

    @Test("a plain report needs neither 8BITMIME nor SMTPUTF8; 8-bit content needs 8BITMIME")
    func transportNeeds() throws {
        let plain = try #require(F.report())
        #expect(!plain.isInternational && !plain.requires8BitMIME && !plain.requiresSMTPUTF8)
        #expect(!plain.message().contains { $0 >= 0x80 })

        let eightBit = F.crlf("Subject: x\nContent-Transfer-Encoding: 8bit\n\nGrüße\n")
        let report = try #require(F.report(envelope: F.envelope(flags: [.eightBitMIME]), original: eightBit))
        #expect(!report.isInternational)
        #expect(report.requires8BitMIME)
        #expect(!report.requiresSMTPUTF8)
        let reader = try read(report)
        #expect(reader.parts[2].value("Content-Transfer-Encoding") == "8bit")
        #expect(reader.parts[2].body == eightBit)
        // Headers only: the 8-bit body stays behind.
        let headers = try #require(F.report(envelope: F.envelope(ret: .headers), original: eightBit))
        #expect(!headers.requires8BitMIME)
    }

    @Test("the international golden report needs 8BITMIME but not SMTPUTF8")
    func internationalGolden() throws {
        let report = try #require(F.internationalReport)
        #expect(report.requires8BitMIME)
        #expect(!report.requiresSMTPUTF8)
        let groups = DSNMessageReader.statusGroups(try read(report).parts[1].body)
        #expect(DSNMessageReader.value("Original-Recipient", in: groups[1]) == "utf-8; jörg@example.org")
        #expect(DSNMessageReader.value("Final-Recipient", in: groups[1]) == "utf-8; jörg@example.org")
    }
}
