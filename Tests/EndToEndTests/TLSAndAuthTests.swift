import Foundation
import Testing

/// STARTTLS, SMTPS and AUTH through the real ternd with an openssl-made
/// certificate and swaks as the client.
@Suite("TLS and AUTH end to end", .serialized)
struct TLSAndAuthTests {
    /// `secret` hashed with SHA-512 crypt (openssl passwd -6).
    static let aliceHash = "$6$wTd.NHKxtcaAFaEQ$XISrI.HKdZVuiRHN2yhWc99DSHtUexZnvaDu0iv2kusfzetMUKj7ZWiH6JI1h3SIo9x07T5/FkTXa16Ol7Kg/0"

    static func makeCertificate(in workspace: Workspace, name: String = "mx.test", prefix: String = "") throws {
        let result = try runCommand(try requireTool("/usr/bin/openssl"), [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-subj", "/CN=\(name)", "-days", "2",
            "-keyout", workspace.file(prefix + "key.pem"), "-out", workspace.file(prefix + "cert.pem"),
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

    /// The subject of the certificate ternd presents on `port` (SMTPS) to a
    /// client that sends `serverName` in SNI, or none.
    static func presentedSubject(port: Int, serverName: String?) throws -> String {
        var arguments = ["s_client", "-connect", "127.0.0.1:\(port)"]
        arguments += serverName.map { ["-servername", $0] } ?? ["-noservername"]
        let result = try runCommand(try requireTool("/usr/bin/openssl"), arguments, input: Data(), timeout: 20)
        let subject = result.output.split(separator: "\n").first { $0.hasPrefix("subject=") }
        return subject.map { String($0.dropFirst("subject=".count)).replacingOccurrences(of: " ", with: "") } ?? "none: \(result.error)"
    }

    @Test("SNI: a client naming another configured pki gets its certificate, any other name the listener's own")
    func serverNameIndication() throws {
        let workspace = Workspace()
        try Self.makeCertificate(in: workspace)
        try Self.makeCertificate(in: workspace, name: "other.test", prefix: "other-")
        let daemon = try TernDaemonProcess(config: Self.config("listen on 127.0.0.1 port $PORT smtps pki mx.test") + """

            pki Other.Test cert "$DIR/other-cert.pem" key "$DIR/other-key.pem"
            """, workspace: workspace)
        #expect(try Self.presentedSubject(port: daemon.port, serverName: "other.test") == "CN=other.test")
        #expect(try Self.presentedSubject(port: daemon.port, serverName: "OTHER.test") == "CN=other.test")
        #expect(try Self.presentedSubject(port: daemon.port, serverName: "mx.test") == "CN=mx.test")
        #expect(try Self.presentedSubject(port: daemon.port, serverName: "unknown.test") == "CN=mx.test")
        #expect(try Self.presentedSubject(port: daemon.port, serverName: nil) == "CN=mx.test")
    }

    @Test("a key only root can read is loaded before ternd switches to its user",
          .enabled(if: getuid() == 0, "needs root"), .timeLimit(.minutes(2)))
    func rootOnlyKey() throws {
        guard getpwnam("nobody") != nil else {
            print("TLSAndAuthTests: skipped, no user nobody")
            return
        }
        let workspace = Workspace()
        chmod(workspace.path, 0o755)  // nobody must reach var/queue inside it
        try Self.makeCertificate(in: workspace)
        chmod(workspace.file("key.pem"), 0o600)
        let daemon = try TernDaemonProcess(config: Self.config("listen on 127.0.0.1 port $PORT tls pki mx.test") + "\nuser nobody\n", workspace: workspace)
        #expect(daemon.log.contains("running as user nobody"))
        let result = try IngressTests.swaks(daemon.port, ["--tls", "--from", "a@example.org", "--to", "b@example.test"])
        #expect(result.status == 0, "\(result.output)")
    }
}
