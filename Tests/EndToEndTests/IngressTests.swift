import Foundation
import Testing

/// The real ternd accepting mail from real clients (swaks, Postfix's
/// smtp-source) and raw sockets, on loopback.
@Suite("Ingress end to end", .serialized)
struct IngressTests {
    static let config = """
        hostname mx.test
        queue path "$DIR/var/queue"
        listen on 127.0.0.1 port $PORT
        action "local" maildir "$DIR/var/mail/%{user.username}/Maildir"
        match from any for local action "local"
        match from any for domain "example.test" action "local"
        """

    static func swaks(_ port: Int, _ arguments: [String]) throws -> CommandResult {
        try runCommand(try requireTool("/usr/bin/swaks"), ["--server", "127.0.0.1:\(port)", "--timeout", "20"] + arguments, timeout: 60)
    }

    static func queuedID(in output: String) -> String? {
        guard let range = output.range(of: "queued as ") else { return nil }
        return String(output[range.upperBound...].prefix(20))
    }

    @Test("swaks delivers into the journal and the stored body is byte-exact")
    func swaksPlain() throws {
        let daemon = try TernDaemonProcess(config: Self.config)
        let body = "Subject: hello\r\nFrom: a@example.org\r\n\r\n..leading dot line\r\nsecond line\r\n"
        let dataFile = daemon.workspace.write("message.eml", body)
        let result = try Self.swaks(daemon.port, ["--from", "alice@example.org", "--to", "bob@example.test", "--data", dataFile])
        #expect(result.status == 0, "\(result.output)")
        let id = try #require(Self.queuedID(in: result.output), "no queue id in: \(result.output)")
        let queue = try daemon.queue()
        #expect(queue.count == 1)
        #expect(queue.first?["id"] as? String == id)
        #expect(queue.first?["sender"] as? String == "alice@example.org")
        let stored = String(decoding: try daemon.body(of: id), as: UTF8.self)
        #expect(stored.hasPrefix("Received: from "))
        #expect(stored.contains("by mx.test with ESMTP id \(id)"))
        // swaks dot-stuffs the file on the way out; the journal holds it exactly as written, after our Received header.
        let afterReceived = stored[stored.range(of: "\r\nSubject: hello")!.lowerBound...].dropFirst(1)
        #expect(afterReceived.hasPrefix(body))
        #expect(daemon.log.contains("id=\(id) from=<alice@example.org>"))
        #expect(daemon.stop() == 0)
        #expect(daemon.log.contains("ternd stopped"))
    }

    @Test("a recipient no rule accepts gets 550 5.7.1 and nothing is stored")
    func relayDenied() throws {
        let daemon = try TernDaemonProcess(config: Self.config)
        let result = try Self.swaks(daemon.port, ["--from", "alice@example.org", "--to", "someone@elsewhere.example"])
        #expect(result.status != 0)
        #expect(result.output.contains("550 5.7.1"))
        #expect(try daemon.queue().isEmpty)
    }

    @Test("pipelined transactions with several recipients are all stored")
    func pipelining() throws {
        let daemon = try TernDaemonProcess(config: Self.config)
        let result = try Self.swaks(daemon.port, ["--pipeline", "--from", "a@example.org", "--to", "x@example.test,y@example.test,z@localhost"])
        #expect(result.status == 0, "\(result.output)")
        let queue = try daemon.queue()
        #expect((queue.first?["recipients"] as? [[String: Any]])?.count == 3)
    }

    @Test("an 8-bit body declared BODY=8BITMIME is stored unchanged")
    func eightBitBody() throws {
        let daemon = try TernDaemonProcess(config: Self.config)
        let client = try RawSMTPClient(port: daemon.port)
        #expect(client.reply()?.hasPrefix("220 mx.test") == true)
        #expect(client.command("EHLO client.example")?.contains("8BITMIME") == true)
        #expect(client.command("MAIL FROM:<a@example.org> BODY=8BITMIME")?.hasPrefix("250") == true)
        #expect(client.command("RCPT TO:<b@example.test>")?.hasPrefix("250") == true)
        #expect(client.command("DATA")?.hasPrefix("354") == true)
        let body = "Subject: caf\u{e9}\r\n\r\nGr\u{fc}\u{df}e \u{2014} \u{1F600}\r\n"
        client.send(body + ".\r\n")
        let reply = try #require(client.reply())
        #expect(reply.hasPrefix("250 2.0.0 Ok: queued as "))
        let id = try #require(Self.queuedID(in: reply))
        let stored = try daemon.body(of: id)
        #expect(stored.suffix(Data(body.utf8).count) == Data(body.utf8))
    }

    @Test("a message survives a restart of the daemon")
    func restart() throws {
        let workspace = Workspace()
        var daemon = try TernDaemonProcess(config: Self.config, workspace: workspace)
        let result = try Self.swaks(daemon.port, ["--from", "a@example.org", "--to", "b@example.test"])
        let id = try #require(Self.queuedID(in: result.output))
        daemon.crash()
        daemon = try TernDaemonProcess(config: Self.config, workspace: workspace)
        #expect(try daemon.queue().map { $0["id"] as? String } == [id])
        #expect(daemon.log.contains("1 messages"))
    }
}
