import Envelope
import Testing

private func forwardError(_ text: String, allowUTF8: Bool = false) -> MailAddressError? {
    do {
        _ = try MailAddress.parseForwardPath(text[...], allowUTF8: allowUTF8)
        return nil
    } catch {
        return error
    }
}

@Suite("MailAddress forward path")
struct MailAddressForwardPathTests {
    @Test(
        "parses RCPT TO paths and drops source routes",
        arguments: [
            ("<bob@example.org>", "bob", "example.org"),
            ("<@relay.example:bob@example.org>", "bob", "example.org"),
            ("<Postmaster@example.org>", "Postmaster", "example.org"),
            ("<\"bob smith\"@example.org>", "bob smith", "example.org"),
        ])
    func parses(input: String, localPart: String, domain: String) throws {
        let address = try MailAddress.parseForwardPath(input[...], allowUTF8: false)
        #expect(address.localPart == localPart)
        #expect(address.domain == domain)
    }

    @Test(
        "accepts <Postmaster> without a domain in any case",
        arguments: ["<Postmaster>", "<postmaster>", "<POSTMASTER>", "<PostMaster>"])
    func postmaster(input: String) throws {
        let address = try MailAddress.parseForwardPath(input[...], allowUTF8: false)
        #expect(address == MailAddress(localPart: "postmaster", domain: ""))
        #expect(address == .postmaster)
        #expect(address.isLocalPostmaster)
        #expect(address.description == "postmaster")
        #expect(try MailAddress.parseForwardPath(address.wireForm[...], allowUTF8: false) == address)
    }

    @Test(
        "refuses the null path and malformed forward paths",
        arguments: [
            "<>", "", "bob@example.org", "<bob>", "<postmaster >", "< postmaster>", "<postmaster>x",
            "<@relay:postmaster>", "<bob@example.org", "<bob@@example.org>", "<postmaster",
        ])
    func refuses(input: String) {
        #expect(forwardError(input)?.kind == .malformed)
    }

    @Test("names the empty forward path in its error")
    func emptyPathReason() {
        #expect(forwardError("<>")?.reason == "empty forward path")
        #expect(forwardError("<>")?.enhancedStatus(for: .recipient) == EnhancedStatus(5, 1, 3))
    }

    @Test("applies the UTF-8 rule to recipients", arguments: [true, false])
    func utf8Recipient(allowUTF8: Bool) {
        let error = forwardError("<用户@例子.广告>", allowUTF8: allowUTF8)
        #expect(error?.kind == (allowUTF8 ? nil : .utf8NotPermitted))
    }
}
