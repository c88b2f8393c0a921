import Envelope
import Testing

private func reverseError(_ text: String, allowUTF8: Bool = false) -> MailAddressError? {
    do {
        _ = try ReversePath.parse(text[...], allowUTF8: allowUTF8)
        return nil
    } catch {
        return error
    }
}

@Suite("ReversePath")
struct ReversePathTests {
    @Test("parses <> as the null path")
    func nullPath() throws {
        #expect(try ReversePath.parse("<>", allowUTF8: false) == .null)
        #expect(ReversePath.null.address == nil)
    }

    @Test(
        "parses bracketed mailboxes and drops source routes",
        arguments: [
            ("<alice@example.com>", "alice", "example.com"),
            ("<@a.example:user@c.example>", "user", "c.example"),
            ("<@a.example,@b.example:user@c.example>", "user", "c.example"),
            ("<@a.example,@b.example,@d.example:user@[192.0.2.1]>", "user", "[192.0.2.1]"),
            ("<\"a>b\"@x.example>", "a>b", "x.example"),
            ("<\"john smith\"@example.com>", "john smith", "example.com"),
            ("<a@[IPv6:2001:db8::1]>", "a", "[IPv6:2001:db8::1]"),
        ])
    func mailbox(input: String, localPart: String, domain: String) throws {
        let path = try ReversePath.parse(input[...], allowUTF8: false)
        #expect(path.address?.localPart == localPart)
        #expect(path.address?.domain == domain)
    }

    @Test(
        "refuses malformed reverse paths",
        arguments: [
            "", "<", ">", "<<>>", "< >", "<> ", " <>", "alice@example.com", "<alice@example.com",
            "alice@example.com>", "<alice@example.com>>", "<alice@example.com> ", "<<alice@example.com>>",
            "<@a.example user@x>", "<@a.example>", "<@:user@x>", "<@a.example,b.example:user@x>",
            "<@a.example,:user@x>", "<@a.example:>", "<@[192.0.2.1]:user@x>", "<user@x>SIZE=1",
            "<a@x\r\n>", "<a@x>\r\n", "<\u{0}>", "<a@x\u{0}>",
        ])
    func refusesMalformed(input: String) {
        #expect(reverseError(input)?.kind == .malformed)
    }

    @Test("counts the brackets and source route against the 256-octet path limit")
    func pathLimit() {
        let local = String(repeating: "l", count: 64)
        let domain = String(repeating: "d", count: 63) + "." + String(repeating: "d", count: 63) + "."
            + String(repeating: "d", count: 61)
        let mailbox = local + "@" + domain
        #expect(mailbox.utf8.count == 254)
        #expect(reverseError("<" + mailbox + ">") == nil)
        #expect(reverseError("<@r:" + mailbox + ">")?.limit == .path)
        #expect(reverseError("<" + local + "@" + domain + "x>")?.limit == .path)
    }

    @Test("refuses a non-ASCII sender without SMTPUTF8 with 553 5.6.7")
    func utf8Sender() throws {
        #expect(try ReversePath.parse("<jörg@example.com>", allowUTF8: true).address?.localPart == "jörg")
        let error = reverseError("<jörg@example.com>")
        #expect(error?.kind == .utf8NotPermitted)
        #expect(error?.offset == 2)
        #expect(error?.replyCode == 553)
        #expect(error?.enhancedStatus(for: .sender) == EnhancedStatus(5, 6, 7))
    }

    @Test(
        "writes <> or <mailbox> on the wire and reads it back",
        arguments: [
            ReversePath.null,
            .mailbox(MailAddress(localPart: "alice", domain: "example.com")),
            .mailbox(MailAddress(localPart: "john smith", domain: "example.com")),
            .mailbox(MailAddress(localPart: "a\"b", domain: "[192.0.2.1]")),
        ])
    func wireRoundTrip(path: ReversePath) throws {
        #expect(try ReversePath.parse(path.wireForm[...], allowUTF8: false) == path)
    }

    @Test("describes the null path as <> and a mailbox without brackets")
    func description() {
        #expect(ReversePath.null.description == "<>")
        #expect(ReversePath.null.wireForm == "<>")
        let path = ReversePath.mailbox(MailAddress(localPart: "alice", domain: "example.com"))
        #expect(path.description == "alice@example.com")
        #expect(path.wireForm == "<alice@example.com>")
    }
}
