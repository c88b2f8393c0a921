import Foundation
import Testing

/// What a careless or malicious client may send: none of it may crash the
/// daemon, smuggle a second message, or store half a message.
@Suite("Hostile input end to end", .serialized)
struct HostileInputTests {
    static func session(_ daemon: TernDaemonProcess) throws -> RawSMTPClient {
        let client = try RawSMTPClient(port: daemon.port)
        _ = client.reply()
        _ = client.command("EHLO attacker.example")
        return client
    }

    @Test("SMTP smuggling: a bare-LF dot line does not end DATA, and the message is refused")
    func smuggling() throws {
        let daemon = try TernDaemonProcess(config: IngressTests.config)
        let client = try Self.session(daemon)
        #expect(client.command("MAIL FROM:<a@example.org>")?.hasPrefix("250") == true)
        #expect(client.command("RCPT TO:<b@example.test>")?.hasPrefix("250") == true)
        #expect(client.command("DATA")?.hasPrefix("354") == true)
        client.send("Subject: one\r\n\r\nfirst\n.\nMAIL FROM:<evil@example.org>\r\nRCPT TO:<victim@example.test>\r\nDATA\r\nSubject: smuggled\r\n\r\nx\r\n.\r\n")
        let reply = try #require(client.reply())
        #expect(reply.hasPrefix("550 5.6.0"), "got \(reply)")
        #expect(client.command("NOOP")?.hasPrefix("250") == true)
        #expect(try daemon.queue().isEmpty)
    }

    @Test("with bare-lf normalize the message is stored whole, as one message")
    func smugglingNormalized() throws {
        let daemon = try TernDaemonProcess(config: IngressTests.config + "\nsmtp bare-lf normalize\n")
        let client = try Self.session(daemon)
        _ = client.command("MAIL FROM:<a@example.org>")
        _ = client.command("RCPT TO:<b@example.test>")
        _ = client.command("DATA")
        client.send("Subject: one\r\n\r\nfirst\n.\nMAIL FROM:<evil@example.org>\r\n.\r\n")
        let reply = try #require(client.reply())
        #expect(reply.hasPrefix("250 2.0.0"))
        let queue = try daemon.queue()
        #expect(queue.count == 1)
        let body = String(decoding: try daemon.body(of: try #require(queue.first?["id"] as? String)), as: UTF8.self)
        #expect(body.hasSuffix("first\r\n\r\nMAIL FROM:<evil@example.org>\r\n"))
    }

    @Test("over-long command lines, NUL bytes and garbage get 5xx replies and the session goes on")
    func garbage() throws {
        let daemon = try TernDaemonProcess(config: IngressTests.config)
        let client = try Self.session(daemon)
        #expect(client.command(String(repeating: "A", count: 5000))?.hasPrefix("500 5.5.6") == true)
        #expect(client.command("NOOP")?.hasPrefix("250") == true)
        client.send(Data([0x4D, 0x41, 0x00, 0x49, 0x4C, 0x0D, 0x0A]))
        #expect(client.reply()?.hasPrefix("500") == true)
        client.send(Data([0xFF, 0xFE, 0x80, 0x0D, 0x0A]))
        #expect(client.reply()?.hasPrefix("500") == true)
        #expect(client.command("MAIL FROM:<a@example.org> BOGUS=1")?.hasPrefix("555") == true)
        #expect(client.command("RCPT TO:<b@example.test>")?.hasPrefix("503") == true)
        #expect(client.command("QUIT")?.hasPrefix("221") == true)
        #expect(client.isClosedByServer())
    }

    @Test("too many errors end the session with 421")
    func errorLimit() throws {
        let daemon = try TernDaemonProcess(config: IngressTests.config + "\nsmtp limits errors 3\n")
        let client = try Self.session(daemon)
        #expect(client.command("FOO")?.hasPrefix("500") == true)
        #expect(client.command("BAR")?.hasPrefix("500") == true)
        #expect(client.command("BAZ")?.hasPrefix("421") == true)
        #expect(client.isClosedByServer())
    }

    @Test("a disconnect in the middle of DATA stores nothing")
    func disconnectMidData() throws {
        let daemon = try TernDaemonProcess(config: IngressTests.config)
        do {
            let client = try Self.session(daemon)
            _ = client.command("MAIL FROM:<a@example.org>")
            _ = client.command("RCPT TO:<b@example.test>")
            _ = client.command("DATA")
            client.send("Subject: cut\r\n\r\n" + String(repeating: "line of text\r\n", count: 100_000))
        }
        let spoolDirectory = daemon.workspace.file("var/spool")
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, try !FileManager.default.contentsOfDirectory(atPath: spoolDirectory).isEmpty {
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: spoolDirectory).isEmpty, "spill file left behind")
        #expect(try daemon.queue().isEmpty)
        let client = try Self.session(daemon)
        #expect(client.command("NOOP")?.hasPrefix("250") == true)
    }

    @Test("a message over the size limit is refused with 552 and not stored")
    func sizeLimit() throws {
        let daemon = try TernDaemonProcess(config: IngressTests.config + "\nsmtp max-message-size 64K\n")
        let client = try Self.session(daemon)
        #expect(client.command("MAIL FROM:<a@example.org> SIZE=100000")?.hasPrefix("552 5.3.4") == true)
        _ = client.command("MAIL FROM:<a@example.org>")
        _ = client.command("RCPT TO:<b@example.test>")
        _ = client.command("DATA")
        client.send(String(repeating: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\r\n", count: 2000) + ".\r\n")
        #expect(client.reply()?.hasPrefix("552 5.3.4") == true)
        #expect(try daemon.queue().isEmpty)
    }

    @Test("a large message spills to disk and is stored exactly")
    func largeMessage() throws {
        let daemon = try TernDaemonProcess(config: IngressTests.config)
        let client = try Self.session(daemon)
        _ = client.command("MAIL FROM:<a@example.org>")
        _ = client.command("RCPT TO:<b@example.test>")
        _ = client.command("DATA")
        let line = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\r\n"
        let body = "Subject: big\r\n\r\n" + String(repeating: line, count: 80_000)
        client.send(body + ".\r\n")
        let reply = try #require(client.reply())
        #expect(reply.hasPrefix("250 2.0.0"))
        let stored = try daemon.body(of: try #require(IngressTests.queuedID(in: reply)))
        #expect(stored.suffix(body.utf8.count) == Data(body.utf8))
    }
}

/// The tarpit: rejections wait `smtp reject-delay` before they are sent.
@Suite("Reject delay end to end")
struct RejectDelayTests {
    @Test("a 5xx reply comes only after the configured delay; a 250 comes at once")
    func rejectDelay() throws {
        let daemon = try TernDaemonProcess(config: IngressTests.config + "\nsmtp reject-delay 3s\n")
        let client = try HostileInputTests.session(daemon)
        var start = Date()
        #expect(client.command("MAIL FROM:<a@example.org>")?.hasPrefix("250") == true)
        // Not a timing test: a 250 merely must not wait the whole delay, however busy the machine.
        #expect(Date().timeIntervalSince(start) < 2.5)
        start = Date()
        #expect(client.command("RCPT TO:<x@elsewhere.example>")?.hasPrefix("550 5.7.1") == true)
        #expect(Date().timeIntervalSince(start) >= 2.9)
        #expect(client.command("RCPT TO:<b@example.test>")?.hasPrefix("250") == true)
    }
}

/// A client flooding connections meets the per-client session limit.
@Suite("Session limits end to end")
struct SessionLimitTests {
    @Test("connections beyond the per-client limit get 421 and are closed; the others work")
    func perClientLimit() throws {
        let daemon = try TernDaemonProcess(config: IngressTests.config + "\nsmtp limits per-client 2\n")
        // Let the harness's readiness probe, itself a session, be counted out first.
        Thread.sleep(forTimeInterval: 0.5)
        let first = try RawSMTPClient(port: daemon.port)
        let second = try RawSMTPClient(port: daemon.port)
        #expect(first.reply()?.hasPrefix("220") == true)
        #expect(second.reply()?.hasPrefix("220") == true)
        let third = try RawSMTPClient(port: daemon.port)
        #expect(third.reply()?.hasPrefix("421 4.7.0") == true)
        #expect(third.isClosedByServer())
        #expect(first.command("NOOP")?.hasPrefix("250") == true)
        _ = first.command("QUIT")
        #expect(first.isClosedByServer())
        Thread.sleep(forTimeInterval: 0.2)
        let fourth = try RawSMTPClient(port: daemon.port)
        #expect(fourth.reply()?.hasPrefix("220") == true)
    }

    @Test("IPv6: the listener on ::1 takes mail")
    func ipv6() throws {
        let daemon = try TernDaemonProcess(config: IngressTests.config + "\nlisten on ::1 port $PORT\n")
        let result = try runCommand(try requireTool("/usr/bin/swaks"), ["--server", "::1", "--port", "\(daemon.port)", "-6", "--from", "a@example.org", "--to", "b@example.test"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("queued as"))
        #expect(daemon.log.contains("client=::1"))
    }
}
