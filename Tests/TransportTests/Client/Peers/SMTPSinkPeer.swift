import TestSupport
import Foundation
import Testing

/// Postfix's smtp-sink as a remote SMTP or LMTP server. It announces
/// PIPELINING, DSN, 8BITMIME and ENHANCEDSTATUSCODES, dumps every message
/// it takes into a directory (`-d`), and takes extra options to misbehave
/// (`-r RCPT` soft-rejects recipients, `-Q MAIL` answers 421 and hangs up).
final class SMTPSinkPeer {
    let port: Int
    let dumpDirectory: String
    private let peer: PeerProcess

    init(_ options: [String] = []) throws {
        port = LoopbackPort.free()
        dumpDirectory = NSTemporaryDirectory() + "tern-smtp-sink-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dumpDirectory, withIntermediateDirectories: true)
        // smtp-sink drops to an unprivileged user when run as root; that user writes the dumps.
        chmod(dumpDirectory, 0o777)
        let privileges = geteuid() == 0 ? ["-u", "postfix"] : []
        peer = try PeerProcess(
            "/usr/sbin/smtp-sink",
            privileges + ["-c", "-d", dumpDirectory + "/"] + options + ["127.0.0.1:\(port)", "100"],
            package: "postfix")
        let port = port
        try peer.waitUntil("listening on \(port)") { LoopbackPort.isAcceptingTCP(port) }
    }

    /// The dumped messages, oldest first: smtp-sink's `X-…` header lines and the message as received.
    func dumps() throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: dumpDirectory).sorted()
        return try names.map { try String(contentsOfFile: dumpDirectory + "/" + $0, encoding: .utf8) }
    }

    /// Everything smtp-sink printed (its running counters), for failure messages.
    var log: String { peer.output() }

    deinit {
        peer.stop()
        try? FileManager.default.removeItem(atPath: dumpDirectory)
    }
}
