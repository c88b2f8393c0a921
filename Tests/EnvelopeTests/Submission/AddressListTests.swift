@testable import Envelope
import Testing

@Suite("AddressList")
struct AddressListTests {
    @Test("RFC 5322 address lists yield their mailboxes", arguments: [
        ("bob@example.com", ["bob@example.com"]),
        ("Bob <bob@example.com>, carol@example.org", ["bob@example.com", "carol@example.org"]),
        ("\"Smith, Bob\" <bob@example.com> (work), \"x y\"@example.org", ["bob@example.com", "\"x y\"@example.org"]),
        ("friends: a@example.com, b@example.com;, c@example.com", ["a@example.com", "b@example.com", "c@example.com"]),
        ("undisclosed-recipients:;", []),
        ("alice (Alice, the admin)", ["alice"]),
        ("  ", []),
    ])
    func parses(text: String, expected: [String]) throws {
        #expect(try AddressList.parse(text).map(\.description) == expected)
    }

    @Test("a malformed address is a data error")
    func malformed() {
        #expect(throws: SubmissionError.self) { try AddressList.parse("bob@") }
        #expect(throws: SubmissionError.self) { try AddressList.parse("bob smith") }
    }
}
