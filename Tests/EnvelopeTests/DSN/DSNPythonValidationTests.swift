import Envelope
import Foundation
import Testing

private typealias F = DSNFixtures

/// What Python's `email` package makes of a report.
private struct PythonView: Decodable {
    struct Part: Decodable {
        var contentType: String
        var defects: [String]
    }

    var contentType: String
    var reportType: String?
    var subject: String
    var date: String
    var inReplyTo: String?
    var defects: [String]
    var parts: [Part]
    /// The decoded text of part 1.
    var text: String
    /// The blocks of part 2 as Python parsed them, values unfolded;
    /// empty when Python does not parse the type into blocks.
    var status: [[[String]]]
    /// The `Message-ID` of the returned message, when part 3 is `message/rfc822`.
    var returnedMessageID: String?
}

/// Parses the message on standard input and prints a JSON `PythonView`.
/// `signal.alarm` bounds the run; Python ends itself after ten seconds.
private let script = #"""
    import email, email.policy, email.utils, json, re, signal, sys
    signal.alarm(10)
    msg = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.compat32)
    unfold = lambda v: re.sub(r'\r?\n', '', v)
    parts = msg.get_payload()
    status = []
    if isinstance(parts[1].get_payload(), list):
        status = [[[k, unfold(v)] for k, v in block.items()] for block in parts[1].get_payload()]
    returned = None
    if len(parts) > 2 and parts[2].get_content_type() == 'message/rfc822':
        returned = parts[2].get_payload()[0]['Message-ID']
    assert email.utils.parsedate_to_datetime(msg['Date']) is not None
    print(json.dumps({
        'contentType': msg.get_content_type(),
        'reportType': msg.get_param('report-type'),
        'subject': msg['Subject'],
        'date': msg['Date'],
        'inReplyTo': msg['In-Reply-To'],
        'defects': [type(d).__name__ for d in msg.defects],
        'parts': [{'contentType': p.get_content_type(), 'defects': [type(d).__name__ for d in p.defects]}
                  for p in parts],
        'text': parts[0].get_payload(decode=True).decode('utf-8'),
        'status': status,
        'returnedMessageID': returned,
    }))
    """#

private let python = "/usr/bin/python3"

/// Runs `script` on `message` and decodes what it prints.
private func pythonView(of message: [UInt8]) throws -> PythonView {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = ["-c", script]
    let input = Pipe()
    let output = Pipe()
    let errors = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    try input.fileHandleForWriting.write(contentsOf: message)
    try input.fileHandleForWriting.close()
    let printed = output.fileHandleForReading.readDataToEndOfFile()
    let complaints = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "\(String(decoding: complaints, as: UTF8.self))")
    return try JSONDecoder().decode(PythonView.self, from: printed)
}

@Suite("DSNReport read by Python's email package", .enabled(if: FileManager.default.isExecutableFile(atPath: python)))
struct DSNPythonValidationTests {
    @Test("a failure report parses into the three parts with the exact fields")
    func failure() throws {
        let view = try pythonView(of: try #require(GoldenCase.failedFull.report).message())
        #expect(view.contentType == "multipart/report")
        #expect(view.reportType == "delivery-status")
        #expect(view.subject == "Undelivered Mail Returned to Sender")
        #expect(view.date == "Wed, 25 Nov 2026 11:25:27 +0000")
        #expect(view.inReplyTo == "<lunch.42@client.example.com>")
        #expect(view.defects.isEmpty)
        #expect(view.parts.map(\.contentType) == ["text/plain", "message/delivery-status", "message/rfc822"])
        #expect(view.parts.allSatisfy { $0.defects.isEmpty })
        #expect(view.status == [
            [
                ["Original-Envelope-Id", "QQ314159+1"], ["Reporting-MTA", "dns; mx.example.com"],
                ["Arrival-Date", "Wed, 25 Nov 2026 11:20:27 +0000"],
            ],
            [
                ["Original-Recipient", "rfc822; Bob+Lunch@example.org"], ["Final-Recipient", "rfc822; bob@example.org"],
                ["Action", "failed"], ["Status", "5.1.1"], ["Remote-MTA", "dns; mx.example.org"],
                ["Diagnostic-Code", "smtp; 550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown"],
                ["Last-Attempt-Date", "Wed, 25 Nov 2026 11:25:02 +0000"],
            ],
        ])
        #expect(view.returnedMessageID == "<lunch.42@client.example.com>")
        #expect(view.text.contains("550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown"))
    }

    @Test("a mixed report has one block per recipient and returns the message")
    func mixed() throws {
        let view = try pythonView(of: try #require(GoldenCase.mixed.report).message())
        #expect(view.defects.isEmpty)
        #expect(view.status.count == 4)
        #expect(view.status.dropFirst().map { $0.first { $0[0] == "Action" }?[1] } == ["failed", "delayed", "delivered"])
        #expect(view.status[2].contains(["Will-Retry-Until", "Sun, 29 Nov 2026 11:20:27 +0000"]))
        #expect(view.parts.last?.contentType == "message/rfc822")
    }

    @Test("success and delay reports return the headers as text/rfc822-headers",
          arguments: [GoldenCase.delayed, .delivered, .relayed, .expanded])
    func headersOnly(_ golden: GoldenCase) throws {
        let view = try pythonView(of: try #require(golden.report).message())
        #expect(view.defects.isEmpty)
        #expect(view.parts.map(\.contentType) == ["text/plain", "message/delivery-status", "text/rfc822-headers"])
        #expect(view.status.count == 2)
        #expect(view.status[1].contains(["Action", golden.rawValue]))
    }

    @Test("quoted-printable UTF-8 and an injected reply come through intact and harmless")
    func hostileAndEncoded() throws {
        let reply = "550 5.1.1 Empfänger\r\nAction: delivered\r\n\r\nFinal-Recipient: rfc822; evil@example.net"
        let view = try pythonView(of: try #require(F.report(recipients: [F.failed(reply: reply)])).message())
        #expect(view.defects.isEmpty)
        #expect(view.text.contains("Empfänger"))
        #expect(view.status.count == 2)
        #expect(view.status[1].filter { $0[0] == "Action" } == [["Action", "failed"]])
        #expect(!view.status[1].contains { $0[0] == "Final-Recipient" && $0[1].contains("evil") })
    }

    @Test("an international report carries the global types")
    func international() throws {
        let view = try pythonView(of: try #require(GoldenCase.international.report).message())
        #expect(view.defects.isEmpty)
        #expect(view.parts.map(\.contentType) == ["text/plain", "message/global-delivery-status", "message/global"])
        #expect(view.text.contains("<jörg@example.org>"))
    }
}
