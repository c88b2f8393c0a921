import Envelope
import Testing
@testable import Transport

@Suite("MailDomain")
struct MailDomainTests {
    @Test("names are looked up without their trailing dot", arguments: [
        ("example.com", "example.com"),
        ("example.com.", "example.com"),
        ("MX.Example.COM", "MX.Example.COM"),
        ("localhost", "localhost"),
    ])
    func names(input: String, lookup: String) throws {
        #expect(try MailDomain.parse(input) == .name(lookup))
    }

    @Test("address literals become one host with a canonical address", arguments: [
        ("[192.0.2.1]", "192.0.2.1"),
        ("[IPv6:2001:db8::1]", "2001:db8::1"),
        ("[IPv6:2001:0DB8:0000:0000:0000:0000:0000:0001]", "2001:db8::1"),
        ("[ipv6:::ffff:192.0.2.1]", "::ffff:192.0.2.1"),
    ])
    func literals(input: String, address: String) throws {
        #expect(try MailDomain.parse(input) == .literal(MailHost(name: input, preference: 0, addresses: [address])))
    }

    @Test("refuses what cannot be routed, permanently", arguments: [
        "", ".", "a..b", "[192.0.2.1", "[]", "[300.0.0.1]", "[2001:db8::1]", "[IPv6:192.0.2.1]",
        "[x-tag:whatever]", "bücher.example", "with space.example",
        String(repeating: "a", count: 64) + ".example",
        Array(repeating: String(repeating: "a", count: 60), count: 5).joined(separator: "."),
    ])
    func refused(input: String) {
        let error = #expect(throws: DNSError.self) { try MailDomain.parse(input) }
        #expect(error?.isPermanent == true)
        #expect(error?.enhancedStatus == .domainUnknown)
        #expect(error?.domain == input)
    }
}
