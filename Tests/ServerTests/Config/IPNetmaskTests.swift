import Testing

@testable import Server

@Suite("IPNetmask")
struct IPNetmaskTests {
    static let zeros: [UInt8] = Array(repeating: 0, count: 16)
    static let literalFixtures: [(String, [UInt8])] = [
        ("192.0.2.1", [192, 0, 2, 1]),
        ("0.0.0.0", [0, 0, 0, 0]),
        ("::1", Array(zeros.prefix(15)) + [1]),
        ("::", zeros),
        ("2001:db8::25", [0x20, 0x01, 0x0d, 0xb8] + Array(zeros.prefix(11)) + [0x25]),
        ("::ffff:192.0.2.1", Array(zeros.prefix(10)) + [0xff, 0xff, 192, 0, 2, 1]),
        ("1:2:3:4:5:6:7:8", [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8]),
        ("fe80::", [0xfe, 0x80] + Array(zeros.prefix(14))),
    ]

    @Test("parses literal addresses to their bytes", arguments: literalFixtures)
    func literals(text: String, bytes: [UInt8]) {
        #expect(IPLiteral(text)?.bytes == bytes)
    }

    @Test("refuses what is not a literal address", arguments: [
        "", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "1.2.3.-4", "a.b.c.d", "localhost", ":", ":::", "1::2::3",
        "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::8", "12345::", "fe80::1%eth0", "::ffff:1.2.3", "[::1]", "1:2:3:4:5:6:7:1.2.3.4",
    ])
    func notLiterals(text: String) {
        #expect(IPLiteral(text) == nil)
    }

    @Test("prints addresses in their canonical form", arguments: [
        ("192.0.2.1", "192.0.2.1"), ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"), ("0:0:0:0:0:0:0:1", "::1"),
        ("1:0:0:2:0:0:0:3", "1:0:0:2::3"), ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"), ("1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7"),
    ])
    func canonical(text: String, printed: String) {
        #expect(IPLiteral(text)?.description == printed)
    }

    @Test("knows loopback addresses", arguments: [
        ("127.0.0.1", true), ("127.255.0.9", true), ("::1", true), ("::ffff:127.0.0.1", true),
        ("128.0.0.1", false), ("::2", false), ("::", false), ("10.0.0.1", false),
    ])
    func loopback(text: String, isLoopback: Bool) {
        #expect(IPLiteral(text)?.isLoopback == isLoopback)
    }

    @Test("matches addresses inside the block", arguments: [
        ("192.0.2.0/24", "192.0.2.77", true),
        ("192.0.2.0/24", "192.0.3.1", false),
        ("192.0.2.128/25", "192.0.2.127", false),
        ("192.0.2.5", "192.0.2.5", true),
        ("192.0.2.5", "192.0.2.6", false),
        ("0.0.0.0/0", "203.0.113.9", true),
        ("10.0.0.0/8", "::ffff:10.1.2.3", true),
        ("10.0.0.0/8", "::1", false),
        ("2001:db8::/32", "2001:db8:ffff::1", true),
        ("2001:db8::/32", "2001:db9::1", false),
        ("::1", "::1", true),
        ("::1", "127.0.0.1", false),
        ("2001:db8::/33", "2001:db8:8000::", false),
        ("2001:db8:1:2:3:4:5:6/127", "2001:db8:1:2:3:4:5:7", true),
    ])
    func contains(netmask: String, address: String, inside: Bool) throws {
        let block = try #require(IPNetmask(netmask))
        let candidate = try #require(IPLiteral(address))
        #expect(block.contains(candidate) == inside)
    }

    @Test("refuses bad netmasks", arguments: ["192.0.2.0/33", "::/129", "192.0.2.0/", "/24", "192.0.2.0/2x", "192.0.2.0/-1", "x/8", "192.0.2.0/0024"])
    func badNetmasks(text: String) {
        #expect(IPNetmask(text) == nil)
    }
}
