import TestSupport
import Envelope
import Foundation
import Testing
@testable import Transport

/// `SystemResolver` against a real dnsmasq on a loopback port, asked through glibc's resolver.
@Suite("SystemResolver", .timeLimit(.minutes(1)))
struct SystemResolverTests {
    /// The zone served for these tests; dnsmasq answers NXDOMAIN for any other name under `test`.
    static let zone = [
        // Three preferences, two hosts sharing one.
        "--mx-host=order.test,mx30.order.test,30",
        "--mx-host=order.test,mx10.order.test,10",
        "--mx-host=order.test,mx20a.order.test,20",
        "--mx-host=order.test,mx20b.order.test,20",
        "--host-record=mx10.order.test,127.0.0.10,::10",
        "--host-record=mx20a.order.test,127.0.0.20",
        "--host-record=mx20b.order.test,127.0.0.21",
        "--host-record=mx30.order.test,127.0.0.30",
        // Equal preferences, for the shuffle.
        "--mx-host=equal.test,a.equal.test,5",
        "--mx-host=equal.test,b.equal.test,5",
        "--mx-host=equal.test,c.equal.test,5",
        "--host-record=a.equal.test,127.0.1.1",
        "--host-record=b.equal.test,127.0.1.2",
        "--host-record=c.equal.test,127.0.1.3",
        // No MX: the implicit MX is the domain's own A/AAAA.
        "--host-record=implicit.test,127.0.0.5,::5",
        // Null MX (RFC 7505): MX 0 "." as raw rdata: preference 0x0000, root label 0x00.
        "--dns-rr=nullmx.test,15,000000",
        // An MX host without any address, beside one with an address.
        "--mx-host=partial.test,ghost.partial.test,10",
        "--mx-host=partial.test,real.partial.test,20",
        "--host-record=real.partial.test,127.0.0.7",
        // Only MX hosts without addresses.
        "--mx-host=hostless.test,ghost.hostless.test,10",
        // A name that exists (it has a TXT record) but has no MX, A or AAAA.
        "--txt-record=bare.test,nothing here",
    ]

    /// Starts dnsmasq on a free port and returns it with a resolver asking it.
    static func startDNS() throws -> (PeerProcess, SystemResolver) {
        let port = LoopbackPort.free()
        let peer = try PeerProcess(
            "/usr/sbin/dnsmasq",
            [
                "--no-daemon", "--port=\(port)", "--listen-address=127.0.0.1", "--bind-interfaces",
                "--no-resolv", "--no-hosts", "--local=/test/", "--conf-file=/dev/null", "--pid-file=",
                "--user=root",
            ] + zone,
            package: "dnsmasq-base"
        )
        try peer.waitUntil("UDP port \(port) bound") { LoopbackPort.isBoundUDP(port) }
        let configuration = ResolverConfiguration(nameserver: ("127.0.0.1", port), timeout: .seconds(1), attempts: 1)
        return (peer, SystemResolver(configuration: configuration))
    }

    @Test("orders MX hosts by preference with their A and AAAA addresses")
    func preferenceOrder() async throws {
        let (peer, resolver) = try Self.startDNS()
        defer { peer.stop() }
        let hosts = try await resolver.resolveMailHosts(for: "order.test")
        #expect(hosts.map(\.preference) == [10, 20, 20, 30])
        #expect(hosts.first == MailHost(name: "mx10.order.test", preference: 10, addresses: ["127.0.0.10", "::10"]))
        #expect(Set(hosts[1...2].map(\.name)) == ["mx20a.order.test", "mx20b.order.test"])
        #expect(hosts.last?.addresses == ["127.0.0.30"])
    }

    @Test("shuffles hosts of equal preference")
    func equalPreferenceShuffle() async throws {
        let (peer, resolver) = try Self.startDNS()
        defer { peer.stop() }
        var orders: Set<[String]> = []
        for _ in 0..<30 {
            let hosts = try await resolver.resolveMailHosts(for: "equal.test")
            #expect(Set(hosts.map(\.name)) == ["a.equal.test", "b.equal.test", "c.equal.test"])
            orders.insert(hosts.map(\.name))
        }
        // 30 draws from 6 orders all equal by chance: probability 6^-29.
        #expect(orders.count > 1)
    }

    @Test("uses the domain's own addresses when it has no MX")
    func implicitMX() async throws {
        let (peer, resolver) = try Self.startDNS()
        defer { peer.stop() }
        let hosts = try await resolver.resolveMailHosts(for: "implicit.test.")
        #expect(hosts == [MailHost(name: "implicit.test", preference: 0, addresses: ["127.0.0.5", "::5"])])
    }

    @Test("skips MX hosts without addresses")
    func skipsHostsWithoutAddress() async throws {
        let (peer, resolver) = try Self.startDNS()
        defer { peer.stop() }
        let hosts = try await resolver.resolveMailHosts(for: "partial.test")
        #expect(hosts == [MailHost(name: "real.partial.test", preference: 20, addresses: ["127.0.0.7"])])
    }

    struct FailureCase: Sendable, CustomTestStringConvertible {
        let domain: String
        let isPermanent: Bool
        let status: EnhancedStatus
        let why: String
        var testDescription: String { "\(domain): \(why)" }
    }

    @Test(
        "fails lookups with the right class and status",
        arguments: [
            FailureCase(domain: "nullmx.test", isPermanent: true, status: .recipientNullMX, why: "null MX"),
            FailureCase(domain: "nowhere.test", isPermanent: true, status: .domainUnknown, why: "NXDOMAIN"),
            FailureCase(domain: "bare.test", isPermanent: true, status: .unableToRoute, why: "no MX, A or AAAA"),
            FailureCase(
                domain: "hostless.test", isPermanent: false, status: .directoryServerFailure,
                why: "no MX host has an address"),
            FailureCase(
                domain: "example.com", isPermanent: false, status: .directoryServerFailure,
                why: "REFUSED outside the local zone"),
        ]
    )
    func failures(_ fixture: FailureCase) async throws {
        let (peer, resolver) = try Self.startDNS()
        defer { peer.stop() }
        let error = try await #require(throws: DNSError.self) {
            try await resolver.resolveMailHosts(for: fixture.domain)
        }
        #expect(error.isPermanent == fixture.isPermanent, "\(error)")
        #expect(error.enhancedStatus == fixture.status, "\(error)")
        #expect(error.domain == fixture.domain)
    }

    @Test("reports a temporary failure when no server answers")
    func nothingListening() async throws {
        let port = LoopbackPort.free()
        let configuration = ResolverConfiguration(nameserver: ("127.0.0.1", port), timeout: .seconds(1), attempts: 1)
        let started = ContinuousClock.now
        let error = try await #require(throws: DNSError.self) {
            try await SystemResolver(configuration: configuration).resolveMailHosts(for: "example.test")
        }
        #expect(!error.isPermanent)
        #expect(error.enhancedStatus == .directoryServerFailure)
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    @Test("reports a temporary failure when the server never answers, within the configured time-out")
    func serverSilent() async throws {
        let blackHole = try UDPBlackHole()
        let configuration = ResolverConfiguration(nameserver: ("127.0.0.1", blackHole.port), timeout: .seconds(1), attempts: 2)
        let started = ContinuousClock.now
        let error = try await #require(throws: DNSError.self) {
            try await SystemResolver(configuration: configuration).resolveMailHosts(for: "example.test")
        }
        let elapsed = ContinuousClock.now - started
        #expect(!error.isPermanent)
        #expect(error.enhancedStatus == .directoryServerFailure)
        #expect(elapsed >= .milliseconds(900) && elapsed < .seconds(60), "\(elapsed)")
    }

    @Test("resolves address literals without DNS", arguments: [
        ("[127.0.0.1]", "127.0.0.1"),
        ("[IPv6:::1]", "::1"),
        ("[ipv6:2001:DB8:0:0:0:0:0:1]", "2001:db8::1"),
    ])
    func addressLiterals(literal: String, address: String) async throws {
        // A nameserver where nothing listens: any DNS query would fail.
        let configuration = ResolverConfiguration(nameserver: ("127.0.0.1", LoopbackPort.free()), timeout: .seconds(1), attempts: 1)
        let hosts = try await SystemResolver(configuration: configuration).resolveMailHosts(for: literal)
        #expect(hosts == [MailHost(name: literal, preference: 0, addresses: [address])])
    }
}

/// A UDP socket on loopback that takes queries and never answers them.
final class UDPBlackHole {
    let port: Int
    private let descriptor: Int32

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        self.descriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        try #require(bound, "cannot bind a UDP socket on loopback")
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit {
        close(descriptor)
    }
}
