import Envelope
import Foundation
import Testing

private typealias F = DSNFixtures
private typealias Field = DSNMessageReader.Field

/// Reports built from hostile or awkward input, for the checks that must
/// hold of every report.
private let awkwardReports: [(String, DSNReport?)] = [
    ("CR/LF in the reply", F.report(recipients: [F.failed(reply: "550 no\r\nAction: delivered\r\n\r\nX: y")])),
    ("a 3000-octet word in the reply", F.report(recipients: [F.failed(reply: "550 " + String(repeating: "x", count: 3000))])),
    ("a 5000-octet reply of words", F.report(recipients: [F.failed(reply: String(repeating: "word ", count: 1000))])),
    ("a 2000-octet UTF-8 word", F.report(recipients: [F.failed(reply: "550 " + String(repeating: "ä", count: 1000))])),
    ("the boundary in the content", F.report(original: F.crlf("Subject: x\n\n--=_tern-dsn-\(F.reportID)\n"))),
    ("a line of 1200 octets", F.report(original: F.crlf("Subject: x\n\n" + String(repeating: "y", count: 1200) + "\n"))),
    ("bare LF and NUL", F.report(original: Array("Subject: x\n\nbody\u{0}\n".utf8))),
    ("no header end", F.report(original: Array("Subject: only a header".utf8))),
    ("empty content", F.report(original: [])),
    ("control characters in names", F.report(recipients: [
        DSNRecipientReport(
            finalRecipient: MailAddress(localPart: "a\r\nb", domain: "example.org"), action: .failed,
            status: .mailboxUnknown, remoteMTA: "mx\r\nX-Evil: 1", diagnostic: .local("gone\u{2028}away"))
    ])),
]

private func statusGroups(_ report: DSNReport) throws -> [[Field]] {
    let reader = try DSNMessageReader(report.message())
    return DSNMessageReader.statusGroups(try #require(reader.parts.dropFirst().first).body)
}

@Suite("DSNReport structure")
struct DSNReportStructureTests {
    // MARK: Lines and boundary

    @Test(
        "every line ends in CRLF and none is longer than 998 octets",
        arguments: GoldenCase.allCases.map { ($0.rawValue, $0.report) } + awkwardReports)
    func lineDiscipline(name: String, report: DSNReport?) throws {
        let message = try #require(report, "\(name)").message()
        let (lines, allCRLF) = DSNMessageReader.lines(message)
        #expect(allCRLF, "\(name)")
        #expect(lines.allSatisfy { $0.count <= 998 }, "\(name): \(lines.map(\.count).max() ?? 0)")
    }

    @Test(
        "the boundary occurs only in delimiter lines",
        arguments: GoldenCase.allCases.map { ($0.rawValue, $0.report) } + awkwardReports)
    func boundaryOnlyInDelimiters(name: String, report: DSNReport?) throws {
        let report = try #require(report, "\(name)")
        let message = report.message()
        let reader = try DSNMessageReader(message)
        let needle = Array(reader.boundary.utf8)
        let occurrences = DSNMessageReader.split(message, at: needle).count - 1
        // Once in Content-Type, once per part, once to close.
        #expect(occurrences == reader.parts.count + 2, "\(name)")
        #expect(reader.parts.count == (report.returnedContent.scope == .nothing ? 2 : 3), "\(name)")
    }

    @Test("a boundary found in the content is replaced by the next candidate")
    func boundaryCollision() throws {
        let base = "=_tern-dsn-\(F.reportID)"
        let content = F.crlf("Subject: x\n\n--\(base)\n\(base).1\n")
        let report = try #require(F.report(original: content))
        let reader = try DSNMessageReader(report.message())
        #expect(reader.boundary == base + ".2")
        #expect(reader.parts.last?.body == content)
    }

    // MARK: The delivery-status part

    @Test("the delivery-status part has the exact fields, in order")
    func exactFields() throws {
        let groups = try statusGroups(try #require(GoldenCase.failedFull.report))
        #expect(
            groups == [
                [
                    Field(name: "Original-Envelope-Id", value: "QQ314159+1"),
                    Field(name: "Reporting-MTA", value: "dns; mx.example.com"),
                    Field(name: "Arrival-Date", value: "Wed, 25 Nov 2026 11:20:27 +0000"),
                ],
                [
                    Field(name: "Original-Recipient", value: "rfc822; Bob+Lunch@example.org"),
                    Field(name: "Final-Recipient", value: "rfc822; bob@example.org"),
                    Field(name: "Action", value: "failed"),
                    Field(name: "Status", value: "5.1.1"),
                    Field(name: "Remote-MTA", value: "dns; mx.example.org"),
                    Field(
                        name: "Diagnostic-Code",
                        value: "smtp; 550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown"),
                    Field(name: "Last-Attempt-Date", value: "Wed, 25 Nov 2026 11:25:02 +0000"),
                ],
            ])
    }

    @Test("several recipients get one group each, in order")
    func severalRecipients() throws {
        let dave = MailAddress(localPart: "dave", domain: "example.com")
        let report = try #require(
            F.report(recipients: [F.failed(), F.failed(F.carol), F.delayed(dave), F.succeeded(.delivered, F.alice)]))
        let groups = try statusGroups(report)
        #expect(groups.count == 5)
        #expect(groups.dropFirst().map { DSNMessageReader.value("Final-Recipient", in: $0) } == [
            "rfc822; bob@example.org", "rfc822; carol@example.net", "rfc822; dave@example.com",
            "rfc822; alice@example.com",
        ])
        #expect(groups.dropFirst().map { DSNMessageReader.value("Action", in: $0) } == [
            "failed", "failed", "delayed", "delivered",
        ])
        let text = try DSNMessageReader(report.message()).parts[0].text
        for address in ["<bob@example.org>", "<carol@example.net>", "<dave@example.com>", "<alice@example.com>"] {
            #expect(text.contains(address))
        }
    }

    @Test(
        "Original-Envelope-Id is the ENVID xtext-decoded",
        arguments: [
            ("QQ314159", "QQ314159"),
            ("QQ314159+2B1", "QQ314159+1"),
            ("a+3Db", "a=b"),
            ("x+20y", "x y"),
            ("CaSe+2Bkept", "CaSe+kept"),
        ])
    func envelopeID(parameter: String, field: String) throws {
        let envid = try EnvelopeIdentifier.parse(parameter[...])
        let report = try #require(F.report(envelope: F.envelope(envelopeID: envid)))
        #expect(DSNMessageReader.value("Original-Envelope-Id", in: try statusGroups(report)[0]) == field)
    }

    @Test("without ENVID there is no Original-Envelope-Id, without ORCPT no Original-Recipient")
    func absentFields() throws {
        let groups = try statusGroups(try #require(F.report()))
        #expect(DSNMessageReader.value("Original-Envelope-Id", in: groups[0]) == nil)
        #expect(DSNMessageReader.value("Original-Recipient", in: groups[1]) == nil)
    }

    @Test(
        "Original-Recipient keeps the address type and decodes the address",
        arguments: [
            ("rfc822;bob@example.org", "rfc822; bob@example.org"),
            ("rfc822;bob+2Bsmtp@example.org", "rfc822; bob+smtp@example.org"),
            ("RFC822;Bob@Example.ORG", "RFC822; Bob@Example.ORG"),
            ("x400;c+3Dus+3Ba+3D+20+3Bp+3Dexample", "x400; c=us;a= ;p=example"),
            ("utf-8;j\\x{F6}rg@example.org", "utf-8; j\\x{F6}rg@example.org"),
            ("utf-8;a+b@example.org", "utf-8; a\\x{2B}b@example.org"),
        ])
    func originalRecipient(parameter: String, field: String) throws {
        let orcpt = try OriginalRecipient.parse(parameter[...])
        let report = try #require(F.report(recipients: [F.failed(orcpt: orcpt)]))
        #expect(!report.isInternational)
        #expect(DSNMessageReader.value("Original-Recipient", in: try statusGroups(report)[1]) == field)
    }

    @Test("Will-Retry-Until appears for delayed recipients only")
    func willRetryUntilOnlyWhenDelayed() throws {
        var failed = F.failed()
        failed.willRetryUntil = F.expiry
        let groups = try statusGroups(try #require(F.report(recipients: [failed, F.delayed()])))
        #expect(DSNMessageReader.value("Will-Retry-Until", in: groups[1]) == nil)
        #expect(DSNMessageReader.value("Will-Retry-Until", in: groups[2]) == "Sun, 29 Nov 2026 11:20:27 +0000")
    }

    @Test("a local diagnostic has no Remote-MTA and the X-Tern type")
    func localDiagnostic() throws {
        let recipient = DSNRecipientReport(
            finalRecipient: F.bob, action: .failed, status: .deliveryTimeExpired,
            diagnostic: .local("Host or domain name not found"))
        let groups = try statusGroups(try #require(F.report(recipients: [recipient])))
        #expect(DSNMessageReader.value("Remote-MTA", in: groups[1]) == nil)
        #expect(DSNMessageReader.value("Diagnostic-Code", in: groups[1]) == "X-Tern; Host or domain name not found")
        #expect(DSNMessageReader.value("Status", in: groups[1]) == "4.4.7")
    }

    // MARK: Hostile replies

    @Test(
        "CR and LF in a remote reply cannot add fields, groups or lines",
        arguments: [
            "550 nope\r\nAction: delivered",
            "550 nope\r\n\r\nFinal-Recipient: rfc822; evil@example.net\r\nAction: delivered",
            "550 nope\nStatus: 2.0.0",
            "550 nope\rStatus: 2.0.0",
            "550 nope\r\n--=_tern-dsn-\u{0}\r\n",
            "550 nope\u{85}Action: delivered\u{2028}Status: 2.0.0",
        ])
    func injection(reply: String) throws {
        let report = try #require(F.report(recipients: [F.failed(reply: reply)]))
        let message = report.message()
        let groups = try statusGroups(report)
        #expect(groups.count == 2)
        #expect(groups[1].map(\.name) == [
            "Final-Recipient", "Action", "Status", "Remote-MTA", "Diagnostic-Code", "Last-Attempt-Date",
        ])
        #expect(DSNMessageReader.value("Action", in: groups[1]) == "failed")
        let diagnostic = try #require(DSNMessageReader.value("Diagnostic-Code", in: groups[1]))
        #expect(diagnostic.hasPrefix("smtp; 550 nope "))
        let lines = DSNMessageReader.lines(message).lines.map { String(decoding: $0, as: UTF8.self) }
        #expect(!lines.contains { $0.hasPrefix("Action: delivered") || $0.hasPrefix("Status: 2.0.0") })
        #expect(!lines.contains { $0.hasPrefix("Final-Recipient: rfc822; evil") })
    }

    @Test("a long reply is folded at spaces and unfolds to the reply exactly")
    func folding() throws {
        let reply = "550 5.7.1 " + (1...40).map { "word\($0)" }.joined(separator: " ")
        let report = try #require(F.report(recipients: [F.failed(reply: reply)]))
        let status = try #require(DSNMessageReader(report.message()).parts.dropFirst().first).text
        let lines = status.components(separatedBy: "\r\n")
        let start = try #require(lines.firstIndex { $0.hasPrefix("Diagnostic-Code:") })
        let folded = lines[start...].prefix { $0 == lines[start] || $0.hasPrefix(" ") }
        #expect(folded.count > 1)
        #expect(folded.allSatisfy { $0.utf8.count <= 78 })
        #expect(folded.joined() == "Diagnostic-Code: smtp; " + reply)
    }
}
