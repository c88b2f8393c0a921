import Envelope
import Testing

private func parsesLiteral(_ literal: String) -> Bool {
    (try? MailAddress.parse(("user@[" + literal + "]")[...], allowUTF8: false)) != nil
}

@Suite("AddressLiteral")
struct AddressLiteralTests {
    @Test(
        "accepts IPv4 dotted quads",
        arguments: ["0.0.0.0", "192.0.2.1", "255.255.255.255", "127.0.0.1", "001.002.003.004", "10.0.0.255"])
    func ipv4Valid(literal: String) {
        #expect(parsesLiteral(literal))
    }

    @Test(
        "refuses malformed IPv4 literals",
        arguments: [
            "256.1.1.1", "1.2.3.256", "1.2.3", "1.2.3.4.5", "1..3.4", ".1.2.3", "1.2.3.", "0001.1.1.1",
            "a.b.c.d", "1.2.3.-4", "1.2.3.4 ", "", "999.999.999.999",
        ])
    func ipv4Invalid(literal: String) {
        #expect(!parsesLiteral(literal))
    }

    @Test(
        "accepts the four RFC 5321 IPv6 forms",
        arguments: [
            "::", "::1", "1::", "2001:db8::1", "2001:DB8:0:0:0:0:0:1", "1:2:3:4:5:6:7:8", "ffff:FFFF:0:0:0:0:0:0",
            "1:2:3:4:5:6::", "::2:3:4:5:6:7", "1:2:3::6:7:8", "fe80::abcd:ef01", "1:2:3:4:5:6:1.2.3.4",
            "::ffff:192.0.2.1", "::1.2.3.4", "1:2:3:4::1.2.3.4", "1::2:3:4:1.2.3.4", "0:0:0:0:0:0:0:0",
        ])
    func ipv6Valid(address: String) {
        #expect(parsesLiteral("IPv6:" + address))
        #expect(parsesLiteral("ipv6:" + address))
    }

    @Test(
        "refuses malformed IPv6 literals",
        arguments: [
            "", ":", ":::", "1:::2", "1::2::3", ":1::2", "1::2:", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9",
            "12345::1", "g::1", "1:2:3:4:5:6:7::", "::1:2:3:4:5:6:7", "1:2:3:4:5:1.2.3.4", "1:2:3:4:5::1.2.3.4",
            "::1.2.3", "1.2.3.4::", "::1.2.3.4:1", "1:2:3:4:5:6:7:1.2.3.4", "::256.1.1.1", "2001:db8::1 ",
            "[::1]", "::-1",
        ])
    func ipv6Invalid(address: String) {
        #expect(!parsesLiteral("IPv6:" + address))
    }

    @Test(
        "accepts General-address-literal syntax with a standardized tag",
        arguments: ["x-tag:content", "tag:a", "t1:!#$%&'()*+,-./:;<=>?@^_`{|}~", "a-b-c:ZZZ"])
    func generalValid(literal: String) {
        #expect(parsesLiteral(literal))
    }

    @Test(
        "refuses General-address-literal syntax errors",
        arguments: ["tag", "tag:", ":content", "tag-:x", "ta g:x", "tag:a\\b", "t_g:x", "tag:a b"])
    func generalInvalid(literal: String) {
        #expect(!parsesLiteral(literal))
    }
}
