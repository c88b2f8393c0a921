import Envelope
import Foundation
import NIOCore
import NIOEmbedded
import NIOSSL
import Synchronization
import Testing
@testable import Transport

/// A message the fake delegate was asked to store.
struct StoredMessage: Sendable {
    let id: String
    let transaction: SMTPTransaction
    let body: String
    let spilled: Bool
}

/// A delegate that records what the session asks of it: it refuses
/// recipients at `refused.example`, knows alice's password, keeps stored
/// messages in memory and answers `storeResult`. With `holdStores`, each
/// store waits for `releaseStore()`.
final class RecordingDelegate: SMTPServerDelegate {
    private struct State {
        var events: [String] = []
        var checked: [String] = []
        var prepared = 0
        var stored: [StoredMessage] = []
    }

    private let state = Mutex(State())
    private let storeResult: Result<String, SMTPStoreFailure>
    private let holdStores: Bool
    private let gate = AsyncStream<Void>.makeStream()

    init(storeResult: Result<String, SMTPStoreFailure> = .success("Q1"), holdStores: Bool = false) {
        self.storeResult = storeResult
        self.holdStores = holdStores
    }

    var events: [String] { state.withLock { $0.events } }
    var checked: [String] { state.withLock { $0.checked } }
    var prepared: Int { state.withLock { $0.prepared } }
    var stored: [StoredMessage] { state.withLock { $0.stored } }

    /// Lets one held store return.
    func releaseStore() {
        gate.continuation.yield()
    }

    func checkRecipient(_ recipient: MailAddress, parameters: RecipientParameters, sender: ReversePath, facts: SMTPSessionFacts) -> SMTPReply? {
        state.withLock { $0.checked.append("\(recipient.localPart)@\(recipient.domain)") }
        return recipient.domain == "refused.example" ? .relayDenied() : nil
    }

    func prepareMessage(_ transaction: SMTPTransaction, facts: SMTPSessionFacts) -> PreparedMessage {
        state.withLock { $0.prepared += 1 }
        let header = "Received: from \(facts.heloName ?? "unknown") by mx.example with \(facts.receivedProtocol) id Q1\r\n"
        return PreparedMessage(id: "Q1", header: Array(header.utf8))
    }

    func store(
        _ message: PreparedMessage, transaction: SMTPTransaction, body: SpooledBody, facts: SMTPSessionFacts, eventLoop: any EventLoop
    ) -> EventLoopFuture<Result<String, SMTPStoreFailure>> {
        let bytes: [UInt8]
        let spilled: Bool
        switch body {
        case .memory(let memory):
            (bytes, spilled) = (memory, false)
        case .file(let path, _):
            (bytes, spilled) = (FileManager.default.contents(atPath: path).map(Array.init) ?? [], true)
        }
        let stored = StoredMessage(id: message.id, transaction: transaction, body: String(decoding: bytes, as: UTF8.self), spilled: spilled)
        state.withLock { $0.stored.append(stored) }
        guard holdStores else { return eventLoop.makeSucceededFuture(storeResult) }
        let promise = eventLoop.makePromise(of: Result<String, SMTPStoreFailure>.self)
        promise.completeWithTask { [gate, storeResult] in
            var release = gate.stream.makeAsyncIterator()
            _ = await release.next()
            return storeResult
        }
        return promise.futureResult
    }

    func authenticate(user: String, password: String) async -> String? {
        user == "alice" && password == "secret" ? user : nil
    }

    func sessionEvent(_ event: String, facts: SMTPSessionFacts) {
        state.withLock { $0.events.append(event) }
    }
}

private func serverSettings(_ configure: (inout SMTPServerSettings) -> Void) -> SMTPServerSettings {
    var settings = SMTPServerSettings(hostname: "mx.example")
    settings.maxMessageSize = 1_000_000
    configure(&settings)
    return settings
}

private let clientAddress = try! SocketAddress(ipAddress: "192.0.2.7", port: 41_000)

/// The reply to `EHLO c.example` with default settings.
private let ehloReply = """
    250-mx.example Hello c.example\r
    250-PIPELINING\r
    250-SIZE 1000000\r
    250-8BITMIME\r
    250-SMTPUTF8\r
    250-DSN\r
    250-ENHANCEDSTATUSCODES\r
    250 CHUNKING\r

    """

/// A session over an `EmbeddedChannel`, for everything that does not wait
/// for the delegate's async methods.
private struct EmbeddedSession {
    let channel = EmbeddedChannel()
    let delegate: RecordingDelegate
    let greeting: String

    init(
        delegate: RecordingDelegate = RecordingDelegate(), tlsContext: NIOSSLContext? = nil, spoolDirectory: String = "/nonexistent",
        _ configure: (inout SMTPServerSettings) -> Void = { _ in }
    ) throws {
        self.delegate = delegate
        try channel.pipeline.syncOperations.addHandler(SMTPServerHandler(
            settings: serverSettings(configure), facts: SMTPSessionFacts(clientAddress: "192.0.2.7"), decoder: SMTPFrameDecoder(),
            delegate: delegate, tlsContext: tlsContext, timeouts: SMTPServerTimeouts(), spoolDirectory: spoolDirectory))
        try channel.connect(to: clientAddress).wait()
        var greeting = ""
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { greeting += String(buffer: buffer) }
        self.greeting = greeting
    }

    func send(_ text: String) throws {
        try channel.writeInbound(ByteBuffer(string: text))
    }

    /// Everything written to the client since the last call.
    func output() throws -> String {
        var text = ""
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { text += String(buffer: buffer) }
        return text
    }
}

/// A session over a `NIOAsyncTestingChannel`, whose event loop may be used
/// from other threads: the handler brings the results of the delegate's
/// async `store` and `authenticate` back with `EventLoop.execute` from the
/// task that awaited them, which an `EmbeddedEventLoop` does not allow.
private struct AsyncSession {
    let channel: NIOAsyncTestingChannel
    let delegate: RecordingDelegate

    init(
        delegate: RecordingDelegate = RecordingDelegate(), spoolDirectory: String = "/nonexistent",
        _ configure: (inout SMTPServerSettings) -> Void = { _ in }
    ) async throws {
        self.delegate = delegate
        let settings = serverSettings(configure)
        channel = try await NIOAsyncTestingChannel { channel in
            try channel.pipeline.syncOperations.addHandler(SMTPServerHandler(
                settings: settings, facts: SMTPSessionFacts(clientAddress: "192.0.2.7"), decoder: SMTPFrameDecoder(),
                delegate: delegate, tlsContext: nil, timeouts: SMTPServerTimeouts(), spoolDirectory: spoolDirectory))
        }
        try await channel.connect(to: clientAddress).get()
        #expect(try await read(until: "\r\n") == "220 mx.example ESMTP Tern\r\n")
    }

    func send(_ text: String) async throws {
        try await channel.writeInbound(ByteBuffer(string: text))
    }

    /// Sends `text` in pieces of `step` bytes.
    func send(_ text: String, step: Int) async throws {
        let bytes = Array(text.utf8)
        for start in stride(from: 0, to: bytes.count, by: step) {
            try await channel.writeInbound(ByteBuffer(bytes: bytes[start..<min(bytes.count, start + step)]))
        }
    }

    /// What the client receives until `marker` appears, waiting a few
    /// milliseconds at a time for at most five seconds.
    func read(until marker: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        var text = ""
        for _ in 0..<1000 {
            while let buffer = try await channel.readOutbound(as: ByteBuffer.self) { text += String(buffer: buffer) }
            if text.contains(marker) { return text }
            try await Task.sleep(for: .milliseconds(5))
        }
        Issue.record("no \(marker.debugDescription) in \(text.debugDescription)", sourceLocation: sourceLocation)
        return text
    }

    /// Waits a few milliseconds at a time, for at most five seconds, until `condition` holds.
    func wait(until condition: () -> Bool, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for _ in 0..<1000 {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(5))
        }
        Issue.record("condition never held", sourceLocation: sourceLocation)
    }
}

/// A self-signed certificate made with openssl for this test run, as a
/// server context and a client context that does not verify it; nil when
/// openssl is not installed.
private let tlsContexts: (server: NIOSSLContext, client: NIOSSLContext)? = {
    guard let directory = try? TemporaryDirectory() else { return nil }
    defer { directory.remove() }
    let key = directory.path + "/key.pem"
    let certificate = directory.path + "/certificate.pem"
    let openssl = Process()
    openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    openssl.arguments = [
        "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-days", "1", "-keyout", key, "-out", certificate,
    ]
    openssl.standardOutput = FileHandle.nullDevice
    openssl.standardError = FileHandle.nullDevice
    do {
        try openssl.run()
        openssl.waitUntilExit()
        guard openssl.terminationStatus == 0 else { return nil }
        let server = try NIOSSLContext(configuration: .makeServerConfiguration(
            certificateChain: NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) },
            privateKey: .privateKey(NIOSSLPrivateKey(file: key, format: .pem))))
        var client = TLSConfiguration.makeClientConfiguration()
        client.certificateVerification = .none
        return (server, try NIOSSLContext(configuration: client))
    } catch {
        return nil
    }
}()

/// Moves bytes between two embedded channels until neither has anything to send.
private func interact(_ client: EmbeddedChannel, _ server: EmbeddedChannel) throws {
    var moved = true
    while moved {
        moved = false
        while let bytes = try client.readOutbound(as: ByteBuffer.self) {
            try server.writeInbound(bytes)
            moved = true
        }
        while let bytes = try server.readOutbound(as: ByteBuffer.self) {
            try client.writeInbound(bytes)
            moved = true
        }
    }
}

@Suite("SMTPServerHandler")
struct SMTPServerHandlerTests {
    // MARK: - Commands

    @Test("greets the client once it connects")
    func greeting() throws {
        let session = try EmbeddedSession()
        #expect(session.greeting == "220 mx.example ESMTP Tern\r\n")
        #expect(session.delegate.events == ["connect"])
    }

    @Test("pipelined commands get all their replies in order, 354 last, however the bytes arrive", arguments: [1, 7, 1000])
    func pipelining(step: Int) throws {
        let session = try EmbeddedSession()
        let commands = Array(
            "EHLO c.example\r\nMAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.org>\r\nRCPT TO:<eve@refused.example>\r\nRCPT TO:<carol@example.org>\r\nDATA\r\n".utf8)
        for start in stride(from: 0, to: commands.count, by: step) {
            try session.channel.writeInbound(ByteBuffer(bytes: commands[start..<min(commands.count, start + step)]))
        }
        #expect(try session.output() == ehloReply + """
            250 2.1.0 Ok\r
            250 2.1.5 Ok\r
            550 5.7.1 Relay access denied\r
            250 2.1.5 Ok\r
            354 End data with <CR><LF>.<CR><LF>\r

            """)
        #expect(session.delegate.checked == ["bob@example.org", "eve@refused.example", "carol@example.org"])
        #expect(session.delegate.prepared == 1)
    }

    @Test("an over-long command line gets 500 5.5.6 once, and the session goes on")
    func overlongCommand() throws {
        let session = try EmbeddedSession()
        try session.send("EHLO c.example\r\n")
        _ = try session.output()
        try session.send(String(repeating: "X", count: 400))
        try session.send(String(repeating: "X", count: 400))
        try session.send(String(repeating: "X", count: 400) + "\r\nNOOP\r\n")
        #expect(try session.output() == "500 5.5.6 Line too long\r\n250 2.0.0 Ok\r\n")
        #expect(session.channel.isActive)
    }

    @Test("QUIT is answered 221, then the connection is closed and later input ignored")
    func quit() throws {
        let session = try EmbeddedSession()
        try session.send("EHLO c.example\r\nQUIT\r\nNOOP\r\n")
        #expect(try session.output() == ehloReply + "221 2.0.0 mx.example closing connection\r\n")
        #expect(!session.channel.isActive)
        #expect(session.delegate.events == ["connect", "disconnect"])
    }

    @Test("a shutdown event answers 421 and closes")
    func shutdown() throws {
        let session = try EmbeddedSession()
        try session.send("EHLO c.example\r\nMAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\nSubject: half\r\n")
        _ = try session.output()
        session.channel.pipeline.fireUserInboundEventTriggered(SMTPServerHandler.ShutdownEvent())
        #expect(try session.output() == "421 4.3.2 mx.example Service shutting down, closing transmission channel\r\n")
        #expect(!session.channel.isActive)
        #expect(session.delegate.stored.isEmpty)
    }

    @Test("an idle client is told 421 4.4.2 and disconnected", arguments: [false, true])
    func timeout(inData: Bool) throws {
        let session = try EmbeddedSession()
        try session.send("EHLO c.example\r\n")
        if inData {
            try session.send("MAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n")
            try session.send("Subject: slow\r\n")
        }
        _ = try session.output()
        session.channel.embeddedEventLoop.advanceTime(by: inData ? .minutes(3) - .seconds(1) : .minutes(5) - .seconds(1))
        #expect(try session.output() == "")
        session.channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(try session.output() == "421 4.4.2 mx.example Timeout, closing transmission channel\r\n")
        #expect(!session.channel.isActive)
        #expect(session.delegate.events.contains("timeout"))
    }

    @Test("each command restarts the idle time-out, however long the session has run")
    func activityDefersTimeout() throws {
        let session = try EmbeddedSession()
        try session.send("EHLO c.example\r\n")
        for _ in 0..<3 {
            session.channel.embeddedEventLoop.advanceTime(by: .minutes(4))
            try session.send("NOOP\r\n")
        }
        _ = try session.output()
        session.channel.embeddedEventLoop.advanceTime(by: .minutes(5) - .seconds(1))
        #expect(try session.output() == "")
        #expect(session.channel.isActive)
        session.channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(try session.output() == "421 4.4.2 mx.example Timeout, closing transmission channel\r\n")
    }

    // MARK: - Messages

    @Test("a disconnect in the middle of DATA stores nothing and removes the spill file")
    func disconnectDuringData() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let session = try EmbeddedSession(spoolDirectory: directory.path)
        try session.send("EHLO c.example\r\nMAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n")
        let line = String(repeating: "x", count: 998) + "\r\n"
        for _ in 0..<600 { try session.send(line) }
        #expect(try directory.files().count == 1)
        _ = try session.channel.finish(acceptAlreadyClosed: false)
        #expect(session.delegate.stored.isEmpty)
        #expect(try directory.files().isEmpty)
        #expect(session.delegate.events.suffix(2) == ["disconnect during message, nothing stored", "disconnect"])
    }

    @Test("a spool that cannot spill answers 451 after DATA and says why")
    func spoolFailure() throws {
        let session = try EmbeddedSession(spoolDirectory: "/nonexistent/tern-spool")
        try session.send("EHLO c.example\r\nMAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n")
        _ = try session.output()
        let line = String(repeating: "x", count: 998) + "\r\n"
        for _ in 0..<600 { try session.send(line) }
        try session.send(".\r\nNOOP\r\n")
        #expect(try session.output() == "451 4.3.0 Local error in processing, try again later\r\n250 2.0.0 Ok\r\n")
        #expect(session.delegate.stored.isEmpty)
        #expect(session.delegate.events.contains { $0.hasPrefix("spool failure: cannot create a spill file in /nonexistent/tern-spool") })
    }

    @Test("message bytes arriving in pieces are dot-unstuffed and stored exactly, after the Received header", arguments: [1, 2, 5, 1000])
    func dataInPieces(step: Int) async throws {
        let session = try await AsyncSession()
        try await session.send("EHLO c.example\r\nMAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n")
        _ = try await session.read(until: "354 ")
        try await session.send("Subject: dots\r\n\r\n..leading dot\r\n...\r\nlast line\r\n.\r\nQUIT\r\n", step: step)
        #expect(try await session.read(until: "221 ") == "250 2.0.0 Ok: queued as Q1\r\n221 2.0.0 mx.example closing connection\r\n")
        let stored = session.delegate.stored
        #expect(stored.count == 1)
        #expect(stored.first?.body == "Received: from c.example by mx.example with ESMTP id Q1\r\nSubject: dots\r\n\r\n.leading dot\r\n..\r\nlast line\r\n")
        #expect(stored.first?.id == "Q1")
        #expect(stored.first?.transaction.sender == .mailbox(MailAddress(localPart: "alice", domain: "example.com")))
        #expect(stored.first?.transaction.recipients.map(\.address) == [MailAddress(localPart: "bob", domain: "example.org")])
    }

    @Test("a large message is handed over in a spill file with the exact bytes")
    func spilledMessage() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let session = try await AsyncSession(spoolDirectory: directory.path)
        try await session.send("EHLO c.example\r\nMAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n")
        let line = String(repeating: "y", count: 98) + "\r\n"
        try await session.send(String(repeating: line, count: 6000) + ".\r\n", step: 4096)
        _ = try await session.read(until: "queued as Q1")
        let stored = session.delegate.stored.first
        #expect(stored?.spilled == true)
        #expect(stored?.body == "Received: from c.example by mx.example with ESMTP id Q1\r\n" + String(repeating: line, count: 6000))
        #expect(try directory.files().isEmpty)
    }

    @Test("BDAT chunks arriving in several packets are stored raw", arguments: [1, 4, 1000])
    func bdatInPackets(step: Int) async throws {
        let session = try await AsyncSession()
        try await session.send("EHLO c.example\r\nMAIL FROM:<alice@example.com> BODY=BINARYMIME\r\nRCPT TO:<bob@example.org>\r\n")
        _ = try await session.read(until: "250 2.1.5")
        try await session.send("BDAT 11\r\nLine 1\r\n.\r\nBDAT 0\r\nBDAT 5 LAST\r\nab\u{0}c\nNOOP\r\n", step: step)
        #expect(try await session.read(until: "Ok\r\n") == """
            250 2.0.0 11 octets received\r
            250 2.0.0 0 octets received\r
            250 2.0.0 Ok: queued as Q1\r
            250 2.0.0 Ok\r

            """)
        #expect(session.delegate.stored.map(\.body) == ["Received: from c.example by mx.example with ESMTP id Q1\r\nLine 1\r\n.\r\nab\u{0}c\n"])
        #expect(session.delegate.prepared == 1)
    }

    @Test("BDAT without a transaction reads its chunk and answers 503")
    func bdatWithoutTransaction() throws {
        let session = try EmbeddedSession()
        try session.send("EHLO c.example\r\nBDAT 6 LAST\r\nQUIT\r\nNOOP\r\n")
        #expect(try session.output() == ehloReply + "503 5.5.1 Need MAIL and RCPT before BDAT\r\n250 2.0.0 Ok\r\n")
        #expect(session.delegate.prepared == 0)
    }

    @Test("bare LF never ends DATA, so commands smuggled behind it are never run")
    func smuggling() throws {
        let session = try EmbeddedSession()
        try session.send("EHLO c.example\r\nMAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n")
        _ = try session.output()
        try session.send("Subject: x\r\n\r\nhi\n.\nMAIL FROM:<mallory@example.com>\nRCPT TO:<victim@example.org>\nDATA\nforged\r\n.\r\nNOOP\r\n")
        #expect(try session.output() == "550 5.6.0 Message contains a bare CR or LF; lines must end with CRLF\r\n250 2.0.0 Ok\r\n")
        #expect(session.delegate.checked == ["bob@example.org"])
        #expect(session.delegate.stored.isEmpty)
    }

    @Test("the bytes of a refused BDAT chunk never reach a later message")
    func refusedChunkIsDropped() async throws {
        let session = try await AsyncSession()
        try await session.send("EHLO c.example\r\nMAIL FROM:<alice@example.com>\r\nBDAT 4\r\nJUNKRCPT TO:<bob@example.org>\r\n")
        #expect(try await session.read(until: "503 ").hasSuffix("250 2.1.0 Ok\r\n554 5.5.1 No valid recipients\r\n503 5.5.1 Need MAIL before RCPT\r\n"))
        try await session.send("MAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.org>\r\nBDAT 3 LAST\r\nabc")
        _ = try await session.read(until: "queued as Q1")
        #expect(session.delegate.stored.map(\.body) == ["Received: from c.example by mx.example with ESMTP id Q1\r\nabc"])
    }

    @Test("a failed store answers the failure's 4xx and the session goes on")
    func storeFailure() async throws {
        let session = try await AsyncSession(delegate: RecordingDelegate(storeResult: .failure(.storageFull)))
        try await session.send("EHLO c.example\r\nMAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n")
        _ = try await session.read(until: "354 ")
        try await session.send("Subject: x\r\n\r\nbody\r\n.\r\nMAIL FROM:<>\r\n")
        #expect(try await session.read(until: "250 2.1.0") == "452 4.3.1 Insufficient system storage, try again later\r\n250 2.1.0 Ok\r\n")
    }

    @Test("a shutdown during a store lets the store finish, then answers 421")
    func shutdownDuringStore() async throws {
        let delegate = RecordingDelegate(holdStores: true)
        let session = try await AsyncSession(delegate: delegate)
        try await session.send("EHLO c.example\r\nMAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n")
        _ = try await session.read(until: "354 ")
        try await session.send("Subject: x\r\n\r\nbody\r\n.\r\nNOOP\r\n")
        try await session.wait { delegate.stored.count == 1 }
        session.channel.pipeline.fireUserInboundEventTriggered(SMTPServerHandler.ShutdownEvent())
        delegate.releaseStore()
        #expect(try await session.read(until: "421 ") == """
            250 2.0.0 Ok: queued as Q1\r
            421 4.3.2 mx.example Service shutting down, closing transmission channel\r

            """)
        try await session.wait { !session.channel.isActive }
    }

    @Test("the idle timeout applies again once a slow store has finished")
    func timeoutAfterStore() async throws {
        let delegate = RecordingDelegate(holdStores: true)
        let session = try await AsyncSession(delegate: delegate)
        try await session.send("EHLO c.example\r\nMAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n")
        _ = try await session.read(until: "354 ")
        try await session.send("Subject: x\r\n\r\nbody\r\n.\r\n")
        try await session.wait { delegate.stored.count == 1 }
        await session.channel.testingEventLoop.advanceTime(by: .minutes(10))
        #expect(session.channel.isActive)
        delegate.releaseStore()
        _ = try await session.read(until: "queued as Q1")
        await session.channel.testingEventLoop.advanceTime(by: .minutes(5))
        #expect(try await session.read(until: "421 ") == "421 4.4.2 mx.example Timeout, closing transmission channel\r\n")
    }

    // MARK: - AUTH

    @Test("AUTH holds pipelined commands until the credentials are checked", arguments: [
        ("AUTH PLAIN AGFsaWNlAHNlY3JldA==", "235 2.7.0 Authentication successful\r\n250 2.1.0 Ok\r\n"),
        ("AUTH PLAIN AGFsaWNlAHdyb25n", "535 5.7.8 Authentication credentials invalid\r\n530 5.7.0 Authentication required\r\n"),
    ])
    func auth(command: String, replies: String) async throws {
        let session = try await AsyncSession {
            $0.auth = .required
            $0.authWithoutTLS = true
        }
        try await session.send("EHLO c.example\r\n")
        _ = try await session.read(until: "250 AUTH PLAIN LOGIN\r\n")
        try await session.send("\(command)\r\nMAIL FROM:<alice@example.com>\r\n")
        #expect(try await session.read(until: replies) == replies)
    }

    // MARK: - STARTTLS

    @Test("STARTTLS without a TLS context answers 454 and closes, ignoring what was pipelined after it")
    func startTLSWithoutContext() throws {
        let session = try EmbeddedSession { $0.startTLSAvailable = true }
        try session.send("EHLO c.example\r\nSTARTTLS\r\nMAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.org>\r\nQUIT\r\n")
        let output = try session.output()
        #expect(output.hasSuffix("250 STARTTLS\r\n454 4.7.0 TLS not available due to temporary reason\r\n"))
        #expect(!session.channel.isActive)
        #expect(session.delegate.checked.isEmpty)
    }

    @Test("input pipelined after STARTTLS is discarded, and the session starts over under TLS", .enabled(if: tlsContexts != nil, "needs openssl"))
    func startTLS() throws {
        let contexts = try #require(tlsContexts)
        let server = try EmbeddedSession(tlsContext: contexts.server) { $0.startTLSAvailable = true }
        try server.send("EHLO c.example\r\nSTARTTLS\r\nMAIL FROM:<mallory@example.com>\r\nRCPT TO:<bob@example.org>\r\n")
        let clearText = try server.output()
        #expect(clearText.hasSuffix("250 STARTTLS\r\n220 2.0.0 Ready to start TLS\r\n"))

        let client = EmbeddedChannel()
        try client.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: contexts.client, serverHostname: nil))
        try client.connect(to: clientAddress).wait()
        try interact(client, server.channel)
        #expect(server.delegate.events.contains("TLS established"))

        try client.writeOutbound(ByteBuffer(string: "MAIL FROM:<alice@example.com>\r\nEHLO c.example\r\nMAIL FROM:<alice@example.com>\r\n"))
        try interact(client, server.channel)
        var replies = ""
        while let buffer = try client.readInbound(as: ByteBuffer.self) { replies += String(buffer: buffer) }
        #expect(replies == "503 Send HELO or EHLO first\r\n" + ehloReply + "250 2.1.0 Ok\r\n")
        #expect(server.delegate.checked.isEmpty)
    }

    @Test("a client that stalls the TLS handshake is timed out", .enabled(if: tlsContexts != nil, "needs openssl"))
    func stalledHandshake() throws {
        let contexts = try #require(tlsContexts)
        let server = try EmbeddedSession(tlsContext: contexts.server) { $0.startTLSAvailable = true }
        try server.send("EHLO c.example\r\nSTARTTLS\r\n")
        _ = try server.output()
        server.channel.embeddedEventLoop.advanceTime(by: .minutes(5))
        #expect(!server.channel.isActive)
        #expect(server.delegate.events.contains("timeout"))
    }
}
