import Envelope
import TestSupport
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Testing
@testable import Transport

/// `SMTPClientConnection` on loopback against real servers from Debian:
/// Python's aiosmtpd (through a small script) and Postfix's smtp-sink.
@Suite("SMTPClientConnection", .timeLimit(.minutes(1)))
struct SMTPClientConnectionTests {
    static let group = MultiThreadedEventLoopGroup.singleton

    /// Short time-outs, so that a broken peer fails the test quickly.
    static func settings(
        mode: SMTPClientMode = .smtp, tls: SMTPClientTLSPolicy = .none, credentials: SMTPClientCredentials? = nil,
        sourceAddress: String? = nil
    ) -> SMTPClientSettings {
        let short = Duration.seconds(10)
        return SMTPClientSettings(
            heloName: "client.tern.test", sourceAddress: sourceAddress, mode: mode, tls: tls, credentials: credentials,
            timeouts: SMTPClientTimeouts(
                connect: short, greeting: short, command: short, mail: short, recipient: short, data: short,
                dataBlock: short, dataEnd: short, idle: .seconds(600)))
    }

    static func connect(_ port: Int, _ settings: SMTPClientSettings = settings()) async throws -> SMTPClientConnection {
        try await SMTPClientConnection.connect(
            to: "127.0.0.1", port: port, hostName: "sink.test", settings: settings, eventLoopGroup: group)
    }

    static func message(_ number: Int) -> String {
        "From: alice@example.com\r\nSubject: message \(number)\r\n\r\nline one\r\n.line with a leading dot\r\n..two dots\r\n.\r\nlast line without CRLF"
    }

    static func transaction(
        _ recipients: [String], body: String, notify: DSNNotify? = nil, envelopeID: String? = nil
    ) -> OutboundTransaction {
        OutboundTransaction(
            sender: .mailbox(MailAddress(localPart: "alice", domain: "example.com")),
            recipients: recipients.map {
                let parts = $0.split(separator: "@")
                return OutboundRecipient(
                    address: MailAddress(localPart: String(parts[0]), domain: String(parts[1])), notify: notify,
                    originalRecipient: notify == nil ? nil : OriginalRecipient(addressType: "rfc822", address: $0))
            },
            body: Array(body.utf8), envelopeID: envelopeID, ret: envelopeID == nil ? nil : .headers)
    }

    // MARK: aiosmtpd

    @Test("sends several messages over one connection, dots and line endings intact")
    func severalMessages() async throws {
        let server = try AiosmtpdPeer()
        let connection = try await Self.connect(server.port)
        #expect(connection.remoteHost == "sink.test[127.0.0.1]:\(server.port)")
        #expect(!connection.isTLSActive)
        for number in 1...3 {
            #expect(connection.isReusable)
            let results = try await connection.send(Self.transaction(["bob@example.org"], body: Self.message(number)))
            #expect(results.map(\.outcome) == [.delivered])
            #expect(results.first?.reply.text == "OK queued")
            #expect(results.first?.enhancedStatus == .ok)
        }
        await connection.quit()
        #expect(!connection.isReusable)
        let messages = try server.messages()
        #expect(messages.count == 3, "\(server.log)")
        #expect(server.sessionCount == 1)
        for (number, message) in messages.enumerated() {
            #expect(message.data == Self.message(number + 1) + "\r\n")
            #expect(message.from == "alice@example.com")
            #expect(message.to == ["bob@example.org"])
        }
    }

    @Test("reports each recipient's own reply, without DSN parameters to a server lacking DSN")
    func perRecipientResults() async throws {
        let server = try AiosmtpdPeer()
        let connection = try await Self.connect(server.port)
        #expect(!connection.capabilities.dsn)
        let results = try await connection.send(
            Self.transaction(
                ["bob@example.org", "perm-unknown@example.org", "temp-busy@example.org", "carol@example.org"],
                body: Self.message(1), notify: [.success]))
        #expect(results.map(\.index) == [0, 1, 2, 3])
        #expect(results.map(\.outcome) == [.delivered, .permanentFailure, .temporaryFailure, .delivered])
        #expect(results.map(\.enhancedStatus) == [.ok, .mailboxUnknown, EnhancedStatus(4, 2, 0), .ok])
        #expect(results.map(\.stage) == [.endOfData, .recipient, .recipient, .endOfData])
        #expect(results.allSatisfy { !$0.dsnPassedOn })
        #expect(results[1].reply.code == 550)
        #expect(connection.isReusable)
        await connection.quit()
        let messages = try server.messages()
        #expect(messages.first?.to == ["bob@example.org", "carol@example.org"])
        #expect(messages.first?.rcptOptions == [], "no NOTIFY or ORCPT without DSN")
    }

    @Test("binds the configured source address")
    func sourceAddress() async throws {
        let server = try AiosmtpdPeer()
        let connection = try await Self.connect(server.port, Self.settings(sourceAddress: "127.0.0.2"))
        _ = try await connection.send(Self.transaction(["bob@example.org"], body: Self.message(1)))
        await connection.quit()
        #expect(try server.messages().first?.peer == "127.0.0.2")
    }

    @Test("uses STARTTLS opportunistically")
    func opportunisticTLS() async throws {
        let certificate = try TestCertificate()
        let server = try AiosmtpdPeer(.init(startTLS: certificate))
        let connection = try await Self.connect(server.port, Self.settings(tls: .opportunistic))
        #expect(connection.isTLSActive)
        #expect(!connection.capabilities.startTLS, "aiosmtpd stops offering STARTTLS under TLS")
        _ = try await connection.send(Self.transaction(["bob@example.org"], body: Self.message(1)))
        await connection.quit()
        #expect(try server.messages().first?.tls == true)
    }

    @Test("verifies the certificate when asked, and refuses a wrong name")
    func verifiedTLS() async throws {
        let certificate = try TestCertificate()
        let server = try AiosmtpdPeer(.init(startTLS: certificate))
        let roots = NIOSSLTrustRoots.file(certificate.certificatePath)
        let good = try await Self.connect(
            server.port, Self.settings(tls: .requiredVerified(.init(trustRoots: roots, serverName: "localhost"))))
        #expect(good.isTLSActive)
        await good.quit()

        let error = await #expect(throws: DeliveryError.self) {
            _ = try await Self.connect(
                server.port, Self.settings(tls: .requiredVerified(.init(trustRoots: roots, serverName: "wrong.example"))))
        }
        #expect(error?.kind == .tls, "\(String(describing: error))")
        #expect(error?.isPermanent == false)
    }

    @Test("requires TLS when the policy says so")
    func requiredTLSMissing() async throws {
        let server = try AiosmtpdPeer()
        let error = await #expect(throws: DeliveryError.self) {
            _ = try await Self.connect(server.port, Self.settings(tls: .required))
        }
        #expect(error?.kind == .tls)
    }

    @Test("speaks TLS from the first byte for SMTPS")
    func implicitTLS() async throws {
        let certificate = try TestCertificate()
        let server = try AiosmtpdPeer(.init(implicitTLS: certificate))
        let roots = NIOSSLTrustRoots.file(certificate.certificatePath)
        let connection = try await Self.connect(
            server.port, Self.settings(tls: .implicit(.init(trustRoots: roots, serverName: "localhost"))))
        #expect(connection.isTLSActive)
        _ = try await connection.send(Self.transaction(["bob@example.org"], body: Self.message(1)))
        await connection.quit()
        #expect(try server.messages().first?.tls == true)
    }

    @Test("authenticates over TLS, and a wrong password is a temporary failure")
    func authentication() async throws {
        let certificate = try TestCertificate()
        let server = try AiosmtpdPeer(.init(startTLS: certificate, login: ("alice", "s3cret")))
        let connection = try await Self.connect(
            server.port, Self.settings(tls: .required, credentials: .init(username: "alice", password: "s3cret")))
        _ = try await connection.send(Self.transaction(["bob@example.org"], body: Self.message(1)))
        await connection.quit()
        #expect(try server.messages().first?.auth == "alice")

        let error = await #expect(throws: DeliveryError.self) {
            _ = try await Self.connect(
                server.port, Self.settings(tls: .required, credentials: .init(username: "alice", password: "wrong")))
        }
        #expect(error?.kind == .authentication)
        #expect(error?.isPermanent == false)
        #expect(error?.reply?.code == 535)
    }

    @Test("sends SMTPUTF8 mail to a server that takes it, refuses it for one that does not")
    func smtpUTF8() async throws {
        let utf8Server = try AiosmtpdPeer(.init(smtpUTF8: true))
        let transaction = Self.transaction(["bj\u{F6}rn@example.org"], body: "Subject: hej\r\n\r\nhej d\u{E5}\r\n")
        let connection = try await Self.connect(utf8Server.port)
        let results = try await connection.send(transaction)
        #expect(results.map(\.outcome) == [.delivered])
        await connection.quit()
        let message = try #require(try utf8Server.messages().first)
        #expect(message.mailOptions.contains("SMTPUTF8"))
        #expect(message.mailOptions.contains("BODY=8BITMIME"))

        let plainServer = try AiosmtpdPeer()
        let plain = try await Self.connect(plainServer.port)
        let error = await #expect(throws: DeliveryError.self) { _ = try await plain.send(transaction) }
        #expect(error?.isPermanent == true)
        #expect(error?.enhancedStatus == .nonASCIIAddressNotPermitted)
        #expect(plain.isReusable, "nothing was sent")
        await plain.quit()
    }

    // MARK: smtp-sink

    @Test("pipelines transactions and passes DSN parameters on to smtp-sink")
    func smtpSinkPipeliningAndDSN() async throws {
        let server = try SMTPSinkPeer()
        let connection = try await Self.connect(server.port)
        #expect(connection.capabilities.pipelining)
        #expect(connection.capabilities.dsn)
        for number in 1...3 {
            let results = try await connection.send(
                Self.transaction(
                    ["bob@example.org", "carol@example.org"], body: Self.message(number), notify: [.success, .failure],
                    envelopeID: "id-\(number)"))
            #expect(results.map(\.outcome) == [.delivered, .delivered], "\(server.log)")
            #expect(results.allSatisfy { $0.dsnPassedOn })
        }
        await connection.quit()
        let dumps = try server.dumps()
        #expect(dumps.count == 3)
        for dump in dumps {
            // smtp-sink announces no SIZE, so none is sent.
            #expect(dump.contains("X-Mail-Args: <alice@example.com> RET=HDRS ENVID=id-"))
            #expect(dump.contains("X-Rcpt-Args: <bob@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@example.org"))
            #expect(dump.contains("\n.line with a leading dot\n..two dots\n.\nlast line without CRLF\n"))
        }
    }

    @Test("soft-rejected recipients are temporary failures and the connection stays usable")
    func smtpSinkSoftReject() async throws {
        let server = try SMTPSinkPeer(["-r", "RCPT"])
        let connection = try await Self.connect(server.port)
        #expect(!connection.capabilities.pipelining, "-r implies -p")
        for _ in 1...2 {
            let results = try await connection.send(Self.transaction(["bob@example.org"], body: Self.message(1)))
            #expect(results.map(\.outcome) == [.temporaryFailure])
            #expect(results.first?.stage == .recipient)
            #expect(connection.isReusable)
        }
        await connection.quit()
        #expect(try server.dumps().isEmpty)
    }

    @Test("a 421 mid-transaction makes every recipient temporary and ends the connection")
    func smtpSink421() async throws {
        let server = try SMTPSinkPeer(["-Q", "MAIL"])
        let connection = try await Self.connect(server.port)
        do {
            let results = try await connection.send(Self.transaction(["bob@example.org", "carol@example.org"], body: Self.message(1)))
            #expect(results.map(\.outcome) == [.temporaryFailure, .temporaryFailure])
            #expect(results.allSatisfy { $0.reply.code == 421 && $0.stage == .mail })
        } catch {
            // On a loaded machine the close can overtake the 421: then the whole transaction fails, and still only temporarily.
            #expect(!error.isPermanent)
        }
        #expect(!connection.isReusable)
        let error = await #expect(throws: DeliveryError.self) {
            _ = try await connection.send(Self.transaction(["bob@example.org"], body: Self.message(2)))
        }
        #expect(error?.kind == .notReady)
        await connection.quit()
    }

    @Test("LMTP to smtp-sink: one reply per recipient after the data")
    func smtpSinkLMTP() async throws {
        let server = try SMTPSinkPeer(["-L"])
        let connection = try await Self.connect(server.port, Self.settings(mode: .lmtp))
        let results = try await connection.send(Self.transaction(["bob@example.org", "carol@example.org"], body: Self.message(1)))
        #expect(results.map(\.outcome) == [.delivered, .delivered])
        #expect(results.allSatisfy { $0.stage == .endOfData })
        await connection.quit()
        #expect(try server.dumps().count == 1)
    }

    // MARK: Dovecot LMTP

    @Test("LMTP to Dovecot: per-recipient replies after the data, several messages per connection")
    func dovecotLMTP() async throws {
        let server = try DovecotLMTPPeer(users: ["bob", "carol"])
        let connection = try await Self.connect(server.port, Self.settings(mode: .lmtp))
        #expect(connection.capabilities.pipelining && connection.capabilities.enhancedStatusCodes)
        for number in 1...2 {
            let results = try await connection.send(
                Self.transaction(["bob@example.org", "nobody-here@example.org", "carol@example.org"], body: Self.message(number)))
            #expect(results.map(\.outcome) == [.delivered, .permanentFailure, .delivered], "\(server.log)")
            #expect(results.map(\.stage) == [.endOfData, .recipient, .endOfData])
            #expect(results[1].enhancedStatus == .mailboxUnknown)
            #expect(results[0].reply.text.contains("<bob@example.org>"))
            #expect(results[2].reply.text.contains("<carol@example.org>"))
        }
        #expect(connection.isReusable)
        await connection.quit()
        for user in ["bob", "carol"] {
            let messages = try server.messages(for: user)
            #expect(messages.count == 2, "\(user): \(server.log)")
            #expect(messages.first?.hasSuffix("\n.line with a leading dot\n..two dots\n.\nlast line without CRLF\n") == true)
        }
    }

    // MARK: Failures without a peer

    @Test("a refused connection is a temporary failure")
    func refused() async {
        let error = await #expect(throws: DeliveryError.self) {
            _ = try await Self.connect(LoopbackPort.free())
        }
        #expect(error?.kind == .connection)
        #expect(error?.isPermanent == false)
        #expect(error?.enhancedStatus == .noAnswerFromHost)
    }

    @Test("a server that never greets times out")
    func silentServer() async throws {
        let listener = try SilentListener()
        var settings = Self.settings()
        settings.timeouts.greeting = .milliseconds(300)
        let started = ContinuousClock.now
        let error = await #expect(throws: DeliveryError.self) {
            _ = try await Self.connect(listener.port, settings)
        }
        #expect(error?.kind == .timeout)
        // Bounded, not timed: the point is that it gives up instead of hanging (the machine may be busy).
        #expect(ContinuousClock.now - started < .seconds(60))
    }
}
