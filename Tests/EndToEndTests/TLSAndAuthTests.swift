import Foundation
import Testing

/// STARTTLS, SMTPS and AUTH through the real ternd with an openssl-made
/// certificate and swaks as the client.
@Suite("TLS and AUTH end to end", .serialized)
struct TLSAndAuthTests {
    /// `secret` hashed with SHA-512 crypt (openssl passwd -6).
    static let aliceHash = "$6$wTd.NHKxtcaAFaEQ$XISrI.HKdZVuiRHN2yhWc99DSHtUexZnvaDu0iv2kusfzetMUKj7ZWiH6JI1h3SIo9x07T5/FkTXa16Ol7Kg/0"

    static func makeCertificate(in workspace: Workspace) throws {
        let result = try runCommand(try requireTool("/usr/bin/openssl"), [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-subj", "/CN=mx.test", "-days", "2",
            "-keyout", workspace.file("key.pem"), "-out", workspace.file("cert.pem"),
        ])
        guard result.status == 0 else { throw HarnessError("openssl failed: \(result.error)") }
    }

    static func config(_ listen: String) -> String {
        """
        hostname mx.test
        queue path "$DIR/var/queue"
        pki mx.test cert "$DIR/cert.pem" key "$DIR/key.pem"
        table secrets { alice = "\(aliceHash)" }
        \(listen)
        action "local" maildir "$DIR/var/mail/%{user.username}/Maildir"
        action "out" relay
        match from any for domain "example.test" action "local"
        \(listen.contains("auth") ? "match from auth for any action \"out\"" : "")
        """
    }

    static func start(_ listen: String) throws -> TernDaemonProcess {
        let workspace = Workspace()
        try makeCertificate(in: workspace)
        return try TernDaemonProcess(config: config(listen), workspace: workspace)
    }

    @Test("STARTTLS is offered, works, and the Received header says ESMTPS")
    func startTLS() throws {
        let daemon = try Self.start("listen on 127.0.0.1 port $PORT tls pki mx.test")
        let result = try IngressTests.swaks(daemon.port, ["--tls", "--from", "a@example.org", "--to", "b@example.test"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("STARTTLS"))
        let id = try #require(IngressTests.queuedID(in: result.output))
        let stored = String(decoding: try daemon.body(of: id), as: UTF8.self)
        #expect(stored.contains("with ESMTPS id \(id)"))
    }

    @Test("tls-require refuses MAIL before STARTTLS")
    func tlsRequired() throws {
        let daemon = try Self.start("listen on 127.0.0.1 port $PORT tls-require pki mx.test")
        let plain = try IngressTests.swaks(daemon.port, ["--from", "a@example.org", "--to", "b@example.test"])
        #expect(plain.output.contains("530 5.7.0"))
        let secure = try IngressTests.swaks(daemon.port, ["--tls", "--from", "a@example.org", "--to", "b@example.test"])
        #expect(secure.status == 0, "\(secure.output)")
    }

    @Test("SMTPS: TLS from the first byte")
    func smtps() throws {
        let daemon = try Self.start("listen on 127.0.0.1 port $PORT smtps pki mx.test")
        let result = try IngressTests.swaks(daemon.port, ["--tls-on-connect", "--from", "a@example.org", "--to", "b@example.test"])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test("AUTH PLAIN and LOGIN over TLS relay for the authenticated user only", arguments: ["PLAIN", "LOGIN"])
    func auth(mechanism: String) throws {
        let daemon = try Self.start("listen on 127.0.0.1 port $PORT tls pki mx.test auth-optional <secrets>")
        let denied = try IngressTests.swaks(daemon.port, ["--tls", "--from", "alice@example.org", "--to", "x@elsewhere.example"])
        #expect(denied.output.contains("550 5.7.1"))
        let wrong = try IngressTests.swaks(daemon.port, ["--tls", "-a", mechanism, "-au", "alice", "-ap", "wrong", "--from", "alice@example.org", "--to", "x@elsewhere.example"])
        #expect(wrong.output.contains("535 5.7.8"))
        let good = try IngressTests.swaks(daemon.port, ["--tls", "-a", mechanism, "-au", "alice", "-ap", "secret", "--from", "alice@example.org", "--to", "x@elsewhere.example"])
        #expect(good.status == 0, "\(good.output)")
        #expect(good.output.contains("235 2.7.0"))
        // The relayed message (its delivery to elsewhere.example may since have failed and bounced).
        let queue = try daemon.queue()
        #expect(queue.filter { $0["authUser"] as? String == "alice" }.count == 1)
    }

    @Test("AUTH is not offered without TLS")
    func authNeedsTLS() throws {
        let daemon = try Self.start("listen on 127.0.0.1 port $PORT tls pki mx.test auth-optional <secrets>")
        let client = try RawSMTPClient(port: daemon.port)
        _ = client.reply()
        let ehlo = try #require(client.command("EHLO client.example"))
        #expect(!ehlo.contains("AUTH"))
        #expect(client.command("AUTH PLAIN AGFsaWNlAHNlY3JldA==")?.hasPrefix("538 5.7.11") == true)
    }
}
