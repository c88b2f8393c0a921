import TestSupport
import Foundation
import Testing

/// Python's aiosmtpd (Debian's python3-aiosmtpd) as a remote SMTP server,
/// run through a small script that refuses recipients by their local part
/// (`perm…` gets `550 5.1.1`, `temp…` gets `451 4.2.0`), can offer
/// STARTTLS, implicit TLS, AUTH and SMTPUTF8, and prints one JSON line per
/// session and per message it accepted.
final class AiosmtpdPeer {
    struct Message: Decodable {
        let from: String
        let to: [String]
        let mailOptions: [String]
        let rcptOptions: [String]
        let data: String
        let tls: Bool
        let peer: String
        let auth: String?

        enum CodingKeys: String, CodingKey {
            case from, to, data, tls, peer, auth
            case mailOptions = "mail_options"
            case rcptOptions = "rcpt_options"
        }
    }

    struct Options {
        var startTLS: TestCertificate?
        var implicitTLS: TestCertificate?
        var login: (username: String, password: String)?
        var smtpUTF8 = false
    }

    let port: Int
    private let peer: PeerProcess
    private let scriptPath: String

    init(_ options: Options = Options()) throws {
        port = LoopbackPort.free()
        scriptPath = NSTemporaryDirectory() + "tern-aiosmtpd-\(UUID().uuidString).py"
        try Self.script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        var arguments = [scriptPath, String(port)]
        if let certificate = options.startTLS { arguments += ["--starttls", certificate.certificatePath, certificate.keyPath] }
        if let certificate = options.implicitTLS { arguments += ["--smtps", certificate.certificatePath, certificate.keyPath] }
        if let login = options.login { arguments += ["--auth", login.username, login.password] }
        if options.smtpUTF8 { arguments += ["--smtputf8"] }
        peer = try PeerProcess("/usr/bin/python3", arguments, package: "python3-aiosmtpd")
        // Not probed by connecting, which would count as a session.
        try peer.waitUntil("listening on \(port)") { peer.output().contains("READY\n") }
    }

    /// The sessions the server saw so far.
    var sessionCount: Int {
        peer.output().split(separator: "\n").filter { $0 == "SESSION" }.count
    }

    /// The messages the server accepted so far.
    func messages() throws -> [Message] {
        try peer.output().split(separator: "\n").filter { $0.hasPrefix("MESSAGE ") }.map {
            try JSONDecoder().decode(Message.self, from: Data($0.dropFirst("MESSAGE ".count).utf8))
        }
    }

    /// Everything the server printed, for failure messages.
    var log: String { peer.output() }

    deinit {
        peer.stop()
        try? FileManager.default.removeItem(atPath: scriptPath)
    }

    static let script = #"""
        import asyncio, json, ssl, sys
        from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

        port = int(sys.argv[1])
        args = sys.argv[2:]
        tls_context = None
        smtps_context = None
        login = None
        smtputf8 = False
        while args:
            option = args.pop(0)
            if option in ("--starttls", "--smtps"):
                context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
                context.load_cert_chain(args.pop(0), args.pop(0))
                if option == "--starttls":
                    tls_context = context
                else:
                    smtps_context = context
            elif option == "--auth":
                login = (args.pop(0).encode(), args.pop(0).encode())
            elif option == "--smtputf8":
                smtputf8 = True

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                local = address.split("@")[0]
                if local.startswith("perm"):
                    return "550 5.1.1 <%s>: no such user" % address
                if local.startswith("temp"):
                    return "451 4.2.0 <%s>: try again later" % address
                envelope.rcpt_tos.append(address)
                envelope.rcpt_options.extend(rcpt_options)
                return "250 2.1.5 OK"

            async def handle_DATA(self, server, session, envelope):
                print("MESSAGE " + json.dumps({
                    "from": envelope.mail_from,
                    "to": envelope.rcpt_tos,
                    "mail_options": envelope.mail_options,
                    "rcpt_options": envelope.rcpt_options,
                    "data": envelope.original_content.decode("utf-8", "replace"),
                    "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
                    "peer": session.peer[0],
                    "auth": session.auth_data.decode() if isinstance(session.auth_data, bytes) else None,
                }), flush=True)
                return "250 2.0.0 OK queued"

        def authenticate(server, session, envelope, mechanism, data):
            if isinstance(data, LoginPassword) and (data.login, data.password) == login:
                return AuthResult(success=True, auth_data=data.login)
            return AuthResult(success=False, handled=False)

        class Session(SMTP):
            def connection_made(self, transport):
                print("SESSION", flush=True)
                super().connection_made(transport)

        def factory():
            return Session(
                Handler(), hostname="sink.test", tls_context=tls_context, enable_SMTPUTF8=smtputf8,
                authenticator=authenticate if login else None, auth_require_tls=True)

        async def main():
            server = await asyncio.get_running_loop().create_server(factory, "127.0.0.1", port, ssl=smtps_context)
            print("READY", flush=True)
            async with server:
                await server.serve_forever()

        asyncio.run(main())
        """#
}
