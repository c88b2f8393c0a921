import Envelope
import NIOCore
import NIOEmbedded
import Testing
@testable import Transport

/// The NIO adapter on an `EmbeddedChannel`: line splitting, writes,
/// time-outs and promises, with a scripted server.
@Suite("SMTPClientHandler")
struct SMTPClientHandlerTests {
    /// Keeps what a future completed with.
    final class Outcome<Value> {
        var result: Result<Value, any Error>?

        init(_ future: EventLoopFuture<Value>) {
            future.assumeIsolated().whenComplete { self.result = $0 }
        }

        var error: DeliveryError? {
            guard case .failure(let error) = result else { return nil }
            return error as? DeliveryError
        }

        var value: Value? { try? result?.get() }
    }

    /// A handler on an embedded channel, connected.
    final class Harness {
        let loop = EmbeddedEventLoop()
        let channel: EmbeddedChannel
        let status = SMTPClientConnectionStatus()
        let session: Outcome<SMTPClientSession>
        let timeouts: SMTPClientTimeouts

        init(tls: SMTPClientTLSPolicy = .none, timeouts: SMTPClientTimeouts = SMTPClientTimeouts()) throws {
            self.timeouts = timeouts
            channel = EmbeddedChannel(loop: loop)
            let connected = loop.makePromise(of: SMTPClientSession.self)
            session = Outcome(connected.futureResult)
            let machine = SMTPClientStateMachine(
                configuration: .init(
                    heloName: "client.example.com", mode: .smtp, tls: tls, credentials: nil, remoteHost: "test[192.0.2.1]:25"))
            let startTLS = try tls.makeContext().map { (context: $0, serverHostname: String?.none) }
            try channel.pipeline.syncOperations.addHandler(
                SMTPClientHandler(
                    machine: machine, timeouts: timeouts, startTLS: startTLS, status: status, logger: .init(label: "test"),
                    connected: connected))
            try channel.connect(to: SocketAddress(ipAddress: "192.0.2.1", port: 25)).wait()
        }

        func receive(_ text: String) throws {
            try channel.writeInbound(ByteBuffer(string: text))
        }

        /// The writes made since the last call, one string each.
        func sent() throws -> [String] {
            var writes: [String] = []
            while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
                writes.append(String(buffer: buffer))
            }
            return writes
        }

        /// Greets and answers EHLO with `extensions`.
        func establish(_ extensions: [String] = ["PIPELINING"]) throws {
            try receive("220 mx.example.org ESMTP\r\n")
            #expect(try sent() == ["EHLO client.example.com\r\n"])
            let lines = ["mx.example.org"] + extensions
            try receive(lines.enumerated().map { "250\($0.offset == lines.count - 1 ? " " : "-")\($0.element)\r\n" }.joined())
            #expect(session.value != nil)
        }

        func send(_ transaction: OutboundTransaction) throws -> Outcome<[RecipientResult]> {
            let promise = loop.makePromise(of: [RecipientResult].self)
            try channel.writeOutbound(SMTPClientRequest.send(transaction, promise))
            return Outcome(promise.futureResult)
        }
    }

    @Test("reads replies split anywhere across reads")
    func splitReplies() throws {
        let harness = try Harness()
        for piece in ["22", "0 mx.example.org", "\r", "\n"] { try harness.receive(piece) }
        #expect(try harness.sent() == ["EHLO client.example.com\r\n"])
        for piece in ["250-mx.example.org\r\n250-PIPE", "LINING\r\n", "250 8BITMIME\r\n"] { try harness.receive(piece) }
        #expect(harness.session.value?.capabilities.pipelining == true)
        #expect(harness.status.isReusable)
    }

    @Test("writes MAIL, RCPTs and DATA in one write, and the message with its terminator in another")
    func writes() throws {
        let harness = try Harness()
        try harness.establish()
        let result = try harness.send(ClientScript.transaction(["bob@example.org", "carol@example.org"], body: ".dot\r\nend"))
        #expect(!harness.status.isReusable)
        #expect(try harness.sent() == ["MAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.org>\r\nRCPT TO:<carol@example.org>\r\nDATA\r\n"])
        try harness.receive("250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n")
        #expect(try harness.sent() == ["..dot\r\nend\r\n.\r\n"])
        try harness.receive("250 2.0.0 queued\r\n")
        #expect(result.value?.map(\.outcome) == [.delivered, .delivered])
        #expect(harness.status.isReusable)
    }

    @Test("writes a large message in blocks, the terminator with the last one")
    func blocks() throws {
        let harness = try Harness()
        try harness.establish()
        let body = String(repeating: "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz\r\n", count: 2_000)
        _ = try harness.send(ClientScript.transaction(["bob@example.org"], body: body))
        _ = try harness.sent()
        try harness.receive("250 ok\r\n250 ok\r\n354 go\r\n")
        let writes = try harness.sent()
        #expect(writes.map(\.utf8.count) == [65_536, 65_536, body.utf8.count + 3 - 2 * 65_536])
        #expect(writes.last?.hasSuffix("\r\n.\r\n") == true)
        #expect(writes.joined() == body + ".\r\n")
    }

    @Test("a time-out fails the pending request and closes the channel")
    func timeout() throws {
        let harness = try Harness()
        harness.loop.advanceTime(by: TimeAmount(harness.timeouts.greeting) - .seconds(1))
        #expect(harness.session.result == nil)
        harness.loop.advanceTime(by: .seconds(1))
        #expect(harness.session.error?.kind == .timeout)
        #expect(!harness.channel.isActive)
    }

    @Test("each reply restarts the clock; the message reply waits for dataEnd")
    func timeoutPhases() throws {
        var timeouts = SMTPClientTimeouts()
        timeouts.recipient = .seconds(10)
        timeouts.dataEnd = .seconds(100)
        let harness = try Harness(timeouts: timeouts)
        try harness.establish()
        let result = try harness.send(ClientScript.transaction(["a@example.org", "b@example.org"]))
        try harness.receive("250 ok\r\n")
        harness.loop.advanceTime(by: .seconds(9))
        try harness.receive("250 ok\r\n")
        harness.loop.advanceTime(by: .seconds(9))
        try harness.receive("250 ok\r\n354 go\r\n")
        harness.loop.advanceTime(by: .seconds(99))
        #expect(result.result == nil)
        harness.loop.advanceTime(by: .seconds(1))
        #expect(result.error?.kind == .timeout)
        #expect(result.error?.settledResults.isEmpty == true)
    }

    @Test("a time-out longer than the one before it counts in full from the last reply")
    func longerTimeoutAfterShorter() throws {
        var timeouts = SMTPClientTimeouts()
        timeouts.greeting = .seconds(10)
        timeouts.command = .seconds(100)
        let harness = try Harness(timeouts: timeouts)
        harness.loop.advanceTime(by: .seconds(5))
        try harness.receive("220 mx.example.org ESMTP\r\n")
        harness.loop.advanceTime(by: .seconds(99))
        #expect(harness.session.result == nil)
        #expect(harness.channel.isActive)
        harness.loop.advanceTime(by: .seconds(1))
        #expect(harness.session.error?.kind == .timeout)
        #expect(harness.session.error?.description.contains("waiting for command") == true)
        #expect(!harness.channel.isActive)
    }

    @Test("a connection reused within its idle time waits the full idle time again")
    func idleAfterReuse() throws {
        var timeouts = SMTPClientTimeouts()
        timeouts.idle = .seconds(60)
        let harness = try Harness(timeouts: timeouts)
        try harness.establish()
        for _ in 0..<3 {
            harness.loop.advanceTime(by: .seconds(50))
            let result = try harness.send(ClientScript.transaction(["bob@example.org"]))
            try harness.receive("250 ok\r\n250 ok\r\n354 go\r\n250 ok\r\n")
            #expect(result.value?.count == 1)
        }
        _ = try harness.sent()
        harness.loop.advanceTime(by: .seconds(59))
        #expect(try harness.sent().isEmpty)
        harness.loop.advanceTime(by: .seconds(1))
        #expect(try harness.sent() == ["QUIT\r\n"])
    }

    @Test("an idle connection says QUIT after its idle time")
    func idle() throws {
        let harness = try Harness()
        try harness.establish()
        _ = try harness.sent()
        harness.loop.advanceTime(by: TimeAmount(harness.timeouts.idle))
        #expect(try harness.sent() == ["QUIT\r\n"])
        #expect(!harness.status.isReusable)
        try harness.receive("221 bye\r\n")
        #expect(!harness.channel.isActive)
    }

    @Test("bytes after the 220 to STARTTLS end the session before TLS starts")
    func startTLSInjection() throws {
        let harness = try Harness(tls: .opportunistic)
        try harness.receive("220 mx.example.org\r\n")
        try harness.receive("250-mx.example.org\r\n250 STARTTLS\r\n")
        #expect(try harness.sent() == ["EHLO client.example.com\r\n", "STARTTLS\r\n"])
        try harness.receive("220 go ahead\r\n250 injected\r\n")
        #expect(harness.session.error?.kind == .protocolViolation)
        #expect(!harness.channel.isActive)
    }

    @Test("an endless line ends the session instead of filling memory")
    func endlessLine() throws {
        let harness = try Harness()
        try harness.receive("220 " + String(repeating: "x", count: 5_000))
        #expect(harness.session.error?.kind == .protocolViolation)
        #expect(!harness.channel.isActive)
    }

    @Test("a second request while one is running is refused, the first goes on")
    func oneAtATime() throws {
        let harness = try Harness()
        try harness.establish()
        let first = try harness.send(ClientScript.transaction(["bob@example.org"]))
        let second = try harness.send(ClientScript.transaction(["carol@example.org"]))
        #expect(second.error?.kind == .notReady)
        try harness.receive("250 ok\r\n250 ok\r\n354 go\r\n250 ok\r\n")
        #expect(first.value?.count == 1)
    }

    @Test("the server closing mid-transaction fails it with the settled results")
    func closedMidTransaction() throws {
        let harness = try Harness()
        try harness.establish()
        let result = try harness.send(ClientScript.transaction(["perm@example.org", "bob@example.org"]))
        try harness.receive("250 ok\r\n550 5.1.1 unknown\r\n")
        harness.channel.pipeline.fireChannelInactive()
        #expect(result.error?.kind == .connection)
        #expect(result.error?.settledResults.map(\.index) == [0])
    }
}
