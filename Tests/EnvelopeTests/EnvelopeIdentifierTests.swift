import Envelope
import Testing

private func envidError(_ value: String) -> DSNParameterError? {
    do {
        _ = try EnvelopeIdentifier.parse(value[...])
        return nil
    } catch {
        return error
    }
}

@Suite("EnvelopeIdentifier")
struct EnvelopeIdentifierTests {
    @Test(
        "decodes xtext envelope identifiers",
        arguments: [
            ("QQ314159", "QQ314159"),
            ("abc+2Bdef", "abc+def"),
            ("a+20b", "a b"),
            ("+3D+3D", "=="),
            ("<id@example.com>", "<id@example.com>"),
        ])
    func decodes(value: String, identifier: String) throws {
        #expect(try EnvelopeIdentifier.parse(value[...]) == identifier)
        #expect(try EnvelopeIdentifier.parse(EnvelopeIdentifier.parameterValue(identifier)[...]) == identifier)
    }

    @Test("accepts 100 decoded characters and refuses 101, however they are encoded")
    func lengthLimit() throws {
        #expect(try EnvelopeIdentifier.parse(String(repeating: "a", count: 100)[...]).count == 100)
        #expect(try EnvelopeIdentifier.parse(String(repeating: "+41", count: 100)[...]).count == 100)
        #expect(envidError(String(repeating: "a", count: 101))?.kind == .tooLong)
        #expect(envidError(String(repeating: "+41", count: 101))?.kind == .tooLong)
        #expect(envidError(String(repeating: "a", count: 101))?.description == "Invalid ENVID: longer than 100 characters")
    }

    @Test(
        "refuses empty, malformed and non-printable identifiers",
        arguments: ["", "a b", "a=b", "+0D+0A", "+00", "+7F", "+FF", "+C3+B6", "+4", "+XY", "ö", "a\r\n", "\u{0}"])
    func refuses(value: String) {
        let error = envidError(value)
        #expect(error?.kind == .malformed)
        #expect(error?.parameter == .envid)
        #expect(error?.description.hasPrefix("Invalid ENVID: ") == true)
    }
}
