import Foundation
import Testing
import TestSupport

/// A name server that never answers: the recipient is deferred with a
/// temporary status, never bounced, and delivered once a working name
/// server answers on the same address.
@Suite("DNS time-outs end to end", .serialized)
struct DNSTimeoutTests {
    /// A UDP socket bound to 127.0.0.1:`port` that reads nothing and answers nothing.
    /// Close-on-exec, so that ternd and the peers do not inherit it and keep the port.
    static func silentUDP(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard bound else {
            close(fd)
            throw HarnessError("cannot bind UDP 127.0.0.1:\(port)")
        }
        return fd
    }

    /// The MX of example.test on an address no other test uses, so that a
    /// sink of a test running elsewhere on the machine cannot answer for it.
    static let records = ["--mx-host=example.test,mx.example.test,10", "--host-record=mx.example.test,127.0.0.23"]

    @Test("a resolver that times out defers the recipient (4.4.3); it is delivered once DNS answers",
          .timeLimit(.minutes(3)))
    func resolverTimeout() throws {
        let workspace = Workspace()
        let dnsPort = freePort()
        var silent: Int32? = try Self.silentUDP(port: dnsPort)
        defer { if let silent { close(silent) } }
        let sink = try startSink("127.0.0.23", name: "mx", workspace: workspace)
        defer { withExtendedLifetime(sink) {} }
        let daemon = try TernDaemonProcess(config: RelayTests.config(dnsPort: dnsPort), workspace: workspace)
        _ = try LocalDeliveryTests.send(daemon, from: "alice@sender.test", to: "bob@example.test", body: "Subject: dns\r\n\r\nhello\r\n")

        // glibc's resolver gives up after its time-out and retries; ternd defers.
        let deferred = LocalDeliveryTests.eventually(90) { daemon.log.contains("status=deferred") }
        try #require(deferred, "no deferral while DNS is silent:\n\(daemon.log.suffix(2000))")
        let line = try #require(daemon.log.split(separator: "\n").first { $0.contains("status=deferred") })
        #expect(line.contains("dsn=4."), "\(line)")
        #expect(!daemon.log.contains("status=bounced"))
        #expect(LocalDeliveryTests.files(in: workspace.file("mail/alice/Maildir/new")).isEmpty, "a bounce reached the sender")

        // A working name server on the same port: delivered.
        close(silent!)
        silent = nil
        let dns = try PeerProcess("/usr/sbin/dnsmasq", [
            "--no-daemon", "--port", "\(dnsPort)", "--listen-address", "127.0.0.1", "--bind-interfaces",
            "--no-resolv", "--no-hosts", "--local=/test/", "--pid-file=",
        ] + Self.records, package: "dnsmasq-base")
        defer { withExtendedLifetime(dns) {} }
        try dns.waitUntil("dnsmasq on port \(dnsPort)") { dns.output().contains("started") }
        let sent = LocalDeliveryTests.eventually(90) { daemon.log.contains("status=sent") }
        #expect(sent, "not delivered after DNS came back:\n\(daemon.log.suffix(2000))\ndnsmasq: \(dns.output())")
        #expect(sinkMessages("mx", workspace: workspace).count == 1)
        #expect(!daemon.log.contains("status=bounced"))
        #expect(daemon.stop() == 0)
    }
}
