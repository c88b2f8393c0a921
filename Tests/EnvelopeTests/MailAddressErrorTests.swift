import Envelope
import Testing

private func error(_ text: String, allowUTF8: Bool = false) -> MailAddressError? {
    do {
        _ = try MailAddress.parseForwardPath(text[...], allowUTF8: allowUTF8)
        return nil
    } catch {
        return error
    }
}

@Suite("MailAddressError")
struct MailAddressErrorTests {
    @Test(
        "maps each kind to its reply code and enhanced status",
        arguments: [
            ("<a..b@x>", 501, EnhancedStatus(5, 1, 7), EnhancedStatus(5, 1, 3)),
            ("<" + String(repeating: "a", count: 65) + "@x>", 501, EnhancedStatus(5, 1, 7), EnhancedStatus(5, 1, 3)),
            ("<jörg@x>", 553, EnhancedStatus(5, 6, 7), EnhancedStatus(5, 6, 7)),
        ])
    func replyMapping(input: String, code: Int, sender: EnhancedStatus, recipient: EnhancedStatus) throws {
        let failure = try #require(error(input))
        #expect(failure.replyCode == code)
        #expect(failure.enhancedStatus(for: .sender) == sender)
        #expect(failure.enhancedStatus(for: .recipient) == recipient)
        let reply = failure.reply(for: .recipient)
        #expect(reply.code == code)
        #expect(reply.status == recipient)
        #expect(reply.lines == [failure.description])
    }

    @Test(
        "describes errors in plain ASCII fit for a reply, without echoing input",
        arguments: [
            "<a..b@x>", "<a@x\r\nDATA>", "<\u{0}@x>", "<jörg@x>", "<" + String(repeating: "a", count: 65) + "@x>",
            "<evil\u{7F}@x>", "<\"unterminated@x>", "<a@[999.1.1.1]>", "<a@" + String(repeating: "b", count: 64) + ">",
        ])
    func descriptionIsSafe(input: String) throws {
        let text = try #require(error(input, allowUTF8: false)).description
        #expect(!text.isEmpty)
        #expect(text.utf8.allSatisfy { (0x20...0x7E).contains($0) })
        #expect(!text.contains("evil"))
        #expect(!text.contains("DATA"))
    }

    @Test("names the limit that was exceeded", arguments: MailAddressError.Limit.allCases)
    func limitDescriptions(limit: MailAddressError.Limit) {
        let inputs: [MailAddressError.Limit: String] = [
            .localPart: "<" + String(repeating: "a", count: 65) + "@x>",
            .domainLabel: "<a@" + String(repeating: "b", count: 64) + ">",
            .domain: "<a@" + Array(repeating: String(repeating: "b", count: 50), count: 6).joined(separator: ".") + ">",
            .path: "<a@" + Array(repeating: String(repeating: "b", count: 50), count: 5).joined(separator: ".") + ">",
        ]
        let failure = error(inputs[limit] ?? "")
        #expect(failure?.limit == limit)
        #expect(failure?.offset == nil)
        #expect(failure?.description.contains("\(limit.octets) octets") == true)
    }

    @Test("gives the same error for the same input")
    func equatable() {
        #expect(error("<a..b@x>") == error("<a..b@x>"))
        #expect(error("<a..b@x>") != error("<ab..c@x>"))
    }
}
