import Testing
@testable import Transport

/// Parsing of raw answers through libresolv's `ns_initparse`/`ns_parserr`/`dn_expand`.
@Suite("DNSLookup")
struct DNSLookupTests {
    /// `name` as DNS labels.
    static func labels(_ name: String) -> [UInt8] {
        guard !name.isEmpty else { return [0] }
        return name.split(separator: ".").flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) } + [0]
    }

    /// A response to a question for `question` with `answers` (type, rdata) owned by
    /// the question's name (a compression pointer to offset 12).
    static func message(question: String, type: UInt16, answers: [(UInt16, [UInt8])]) -> [UInt8] {
        var bytes: [UInt8] = [0x12, 0x34, 0x81, 0x80, 0, 1, 0, UInt8(answers.count), 0, 0, 0, 0]
        bytes += labels(question) + [UInt8(type >> 8), UInt8(type & 0xFF), 0, 1]
        for (answerType, rdata) in answers {
            bytes += [0xC0, 0x0C, UInt8(answerType >> 8), UInt8(answerType & 0xFF), 0, 1, 0, 0, 0x0E, 0x10]
            bytes += [UInt8(rdata.count >> 8), UInt8(rdata.count & 0xFF)] + rdata
        }
        return bytes
    }

    @Test("reads MX, A, AAAA and other records of an answer")
    func readsRecords() {
        let mx: [UInt8] = [0, 10] + Self.labels("mx.example.test")
        let compressedMX: [UInt8] = [0, 20, 3] + Array("mx2".utf8) + [0xC0, 0x0C]
        let message = Self.message(question: "example.test", type: 15, answers: [
            (15, mx), (15, compressedMX), (15, [0, 0, 0]),
            (1, [192, 0, 2, 1]),
            (28, [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [1]),
            (5, Self.labels("alias.example.test")),
        ])
        #expect(DNSLookup.parse(message) == .records([
            .mx(preference: 10, exchange: "mx.example.test"),
            .mx(preference: 20, exchange: "mx2.example.test"),
            .mx(preference: 0, exchange: ""),
            .address("192.0.2.1"),
            .address("2001:db8::1"),
            .other,
        ]))
    }

    @Test("an empty answer section is NODATA")
    func emptyAnswer() {
        #expect(DNSLookup.parse(Self.message(question: "example.test", type: 15, answers: [])) == .noData)
    }

    @Test("malformed answers are reported, never trusted", arguments: [
        ("truncated header", Array(message(question: "example.test", type: 1, answers: []).prefix(7))),
        ("A record of 3 octets", message(question: "example.test", type: 1, answers: [(1, [192, 0, 2])])),
        ("AAAA record of 4 octets", message(question: "example.test", type: 28, answers: [(28, [1, 2, 3, 4])])),
        ("MX without exchange", message(question: "example.test", type: 15, answers: [(15, [0, 10])])),
        ("MX name pointing outside", message(question: "example.test", type: 15, answers: [(15, [0, 10, 0xC0, 0xFF])])),
        ("MX with trailing octets", message(question: "example.test", type: 15, answers: [(15, [0, 10, 0, 7])])),
        ("answer count beyond the data", Array(message(question: "example.test", type: 1, answers: [(1, [192, 0, 2, 1])]).dropLast(2))),
    ])
    func malformed(why: String, message: [UInt8]) {
        #expect(DNSLookup.parse(message) == .malformed, "\(why)")
    }
}
