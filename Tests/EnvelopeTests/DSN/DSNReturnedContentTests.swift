@testable import Envelope
import Testing

private let message = DSNFixtures.message
private let header = Array(DSNFixtures.message[..<295])

@Suite("DSNReturnedContent")
struct DSNReturnedContentTests {
    @Test(
        "returns the whole message, the header, or nothing, and says why",
        arguments: [
            (DSNReturn.full, 1000, DSNReturnedContent.Scope.message, DSNReturnedContent.Shortfall?.none),
            (.full, 336, .message, nil),
            (.full, 335, .headers, .tooLarge(limit: 335)),
            (.headers, 1000, .headers, nil),
            (.headers, 295, .headers, nil),
            (.headers, 294, .nothing, .tooLarge(limit: 294)),
            (.full, 294, .nothing, .tooLarge(limit: 294)),
        ])
    func scope(wanted: DSNReturn, limit: Int, scope: DSNReturnedContent.Scope, shortfall: DSNReturnedContent.Shortfall?) {
        let content = DSNReturnedContent(original: message, wanted: wanted, limit: limit)
        #expect(content.scope == scope)
        #expect(content.shortfall == shortfall)
        switch scope {
        case .message: #expect(content.bytes == message)
        case .headers: #expect(content.bytes == header)
        case .nothing: #expect(content.bytes.isEmpty)
        }
    }

    @Test("content that is not mail-safe falls back to a safe header, or to nothing")
    func notMailSafe() {
        let longBody = DSNFixtures.crlf("Subject: x\n\n" + String(repeating: "z", count: 1000) + "\n")
        let fallback = DSNReturnedContent(original: longBody, wanted: .full, limit: 10_000)
        #expect(fallback.scope == .headers)
        #expect(fallback.shortfall == .notMailSafe)
        #expect(fallback.bytes == Array("Subject: x\r\n".utf8))

        let badHeader = Array("Subject: x\u{0}\r\n\r\nbody\r\n".utf8)
        let nothing = DSNReturnedContent(original: badHeader, wanted: .full, limit: 10_000)
        #expect(nothing.scope == .nothing)
        #expect(nothing.shortfall == .notMailSafe)
    }

    @Test("no content, or an empty header section, returns nothing without a shortfall")
    func nothing() {
        for original in [nil, [], Array("\r\nbody\r\n".utf8)] as [[UInt8]?] {
            let content = DSNReturnedContent(original: original, wanted: .headers, limit: 100)
            #expect(content.scope == .nothing)
            #expect(content.shortfall == nil)
        }
    }
}
