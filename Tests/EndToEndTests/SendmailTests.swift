import Foundation
import Testing
import TestSupport

/// tern-sendmail against a running ternd: messages on standard input handed
/// over the control socket, with DSN flags, -t, -i, -bs and -bp, and the
/// sysexits statuses of its failures.
@Suite("tern-sendmail end to end", .serialized)
struct SendmailTests {
    static let config = """
        hostname mx.test
        queue path "$DIR/var/queue" retry 1s..2s expire 1h warn 30m
        listen on 127.0.0.1 port $PORT
        action "local" maildir "$DIR/mail/%{user.username}/Maildir"
        match from any for domain "example.test" action "local"
        """

    static func sendmail(_ daemon: TernDaemonProcess, _ arguments: [String], input: String) throws -> CommandResult {
        try runCommand(BuiltProducts.path("tern-sendmail"), ["--socket", daemon.controlSocket] + arguments, input: Data(input.utf8), timeout: 60)
    }

    /// The messages in `user`'s maildir, oldest first.
    static func mailbox(_ daemon: TernDaemonProcess, _ user: String) -> [String] {
        let inbox = daemon.workspace.file("mail/\(user)/Maildir/new")
        return LocalDeliveryTests.files(in: inbox).compactMap { try? String(contentsOfFile: inbox + "/" + $0, encoding: .utf8) }
    }

    static func queuedID(_ result: CommandResult) -> String? {
        result.output.split(separator: "\n").first { $0.hasPrefix("queued as ") }.map { String($0.dropFirst(10)) }
    }

    @Test("-N success -R hdrs -V envid: stored on the envelope, and a success DSN carrying them reaches the sender", .timeLimit(.minutes(1)))
    func dsnFlags() throws {
        let daemon = try TernDaemonProcess(config: Self.config)
        let result = try Self.sendmail(daemon, ["-v", "-N", "success", "-R", "hdrs", "-V", "myenvid", "-f", "sender@example.test", "alice@example.test"],
                                       input: "Subject: dsn flags\n\nhello\n")
        #expect(result.status == 0, "\(result.error)")
        let id = try #require(Self.queuedID(result), "\(result.output)")
        let message = try #require(try daemon.controlJSON(["show", "message", id]) as? [String: Any])
        #expect(message["envelopeID"] as? String == "myenvid")
        #expect(message["ret"] as? String == "HDRS")
        #expect(message["sender"] as? String == "sender@example.test")
        let recipients = message["recipients"] as? [[String: Any]] ?? []
        #expect(recipients.first?["notify"] as? String == "SUCCESS")
        #expect(LocalDeliveryTests.eventually(30) { Self.mailbox(daemon, "alice").count == 1 }, "\(daemon.log)")
        let delivered = try #require(Self.mailbox(daemon, "alice").first)
        #expect(delivered.contains("\nSubject: dsn flags\nFrom: sender@example.test\nDate: "))
        #expect(delivered.contains("\nMessage-ID: <"))
        #expect(LocalDeliveryTests.eventually(30) { Self.mailbox(daemon, "sender").count == 1 }, "\(daemon.log)")
        let report = try #require(Self.mailbox(daemon, "sender").first)
        #expect(report.contains("Action: delivered"))
        #expect(report.contains("Original-Envelope-Id: myenvid"))
        #expect(report.contains("Content-Type: text/rfc822-headers"))
        #expect(!report.contains("\nhello\n"), "RET=HDRS returns the header only")
    }

    @Test("the submission socket is open to all, records the real submitter, and takes nothing but submissions", .timeLimit(.minutes(1)))
    func submissionSocket() throws {
        let daemon = try TernDaemonProcess(config: Self.config)
        let socket = daemon.workspace.file("var/enqueue.sock")
        var info = stat()
        #expect(stat(socket, &info) == 0 && info.st_mode & 0o777 == 0o666)
        let result = try runCommand(BuiltProducts.path("tern-sendmail"), ["-v", "--socket", socket, "alice@example.test"],
                                    input: Data("Subject: by the submission socket\n\nhi\n".utf8), timeout: 60)
        #expect(result.status == 0, "\(result.error)")
        let id = try #require(Self.queuedID(result), "\(result.output)")
        let message = try #require(try daemon.controlJSON(["show", "message", id]) as? [String: Any])
        let submitter = String(cString: getpwuid(getuid()).pointee.pw_name)
        #expect(message["authUser"] as? String == submitter)
        #expect(message["client"] as? String == "local")
        let refused = try runCommand(BuiltProducts.path("ternctl"), ["pause", "smtp", "--socket", socket])
        #expect(refused.status == 1)
        #expect(refused.error.contains("only enqueue, check recipient and show queue"), "\(refused.error)")
        #expect(LocalDeliveryTests.eventually(30) { Self.mailbox(daemon, "alice").count == 1 }, "\(daemon.log)")
    }

    @Test("-t takes recipients from To, Cc and Bcc and removes Bcc; -F names the added From", .timeLimit(.minutes(1)))
    func recipientsFromHeaders() throws {
        let daemon = try TernDaemonProcess(config: Self.config)
        let input = "To: Bob <bob@example.test>\nCc: carol@example.test\nBcc: dave@example.test\nSubject: team\n\nhi all\n"
        let result = try Self.sendmail(daemon, ["-t", "-F", "Eve Example", "-f", "eve@example.test"], input: input)
        #expect(result.status == 0, "\(result.error)")
        for user in ["bob", "carol", "dave"] {
            #expect(LocalDeliveryTests.eventually(30) { Self.mailbox(daemon, user).count == 1 }, "\(user): \(daemon.log)")
        }
        let copy = try #require(Self.mailbox(daemon, "dave").first)
        #expect(!copy.contains("Bcc:") && !copy.contains("dave@example.test>\n"))
        #expect(copy.contains("\nFrom: Eve Example <eve@example.test>\n"))
    }

    @Test("a lone dot ends the message unless -i is given", .timeLimit(.minutes(1)))
    func dots() throws {
        let daemon = try TernDaemonProcess(config: Self.config)
        let input = "Subject: dots\n\nbefore\n.\nafter\n"
        #expect(try Self.sendmail(daemon, ["frank@example.test"], input: input).status == 0)
        #expect(LocalDeliveryTests.eventually(30) { Self.mailbox(daemon, "frank").count == 1 })
        #expect(try Self.sendmail(daemon, ["-i", "grace@example.test"], input: input).status == 0)
        #expect(LocalDeliveryTests.eventually(30) { Self.mailbox(daemon, "grace").count == 1 })
        let cut = try #require(Self.mailbox(daemon, "frank").first)
        #expect(cut.hasSuffix("\n\nbefore\n") && !cut.contains("after"))
        let whole = try #require(Self.mailbox(daemon, "grace").first)
        #expect(whole.hasSuffix("\n\nbefore\n.\nafter\n"))
    }

    @Test("-bs speaks SMTP on standard input and output and queues at the end of DATA", .timeLimit(.minutes(1)))
    func smtpOnStandardInput() throws {
        let daemon = try TernDaemonProcess(config: Self.config)
        let dialogue = "EHLO local\r\nMAIL FROM:<henry@example.test> ENVID=bs-1\r\nRCPT TO:<ivy@example.test> NOTIFY=NEVER\r\nDATA\r\n"
            + "Subject: via -bs\r\n\r\n..dot-stuffed\r\n.\r\nQUIT\r\n"
        let result = try Self.sendmail(daemon, ["-bs"], input: dialogue)
        #expect(result.status == 0)
        let lines = result.output.split(separator: "\r\n").map(String.init)
        #expect(lines.first?.hasPrefix("220 ") == true, "\(result.output)")
        let queued = try #require(lines.first { $0.hasPrefix("250 2.0.0 Ok: queued as ") }, "\(result.output)")
        #expect(lines.last?.hasPrefix("221 ") == true)
        let id = String(queued.dropFirst("250 2.0.0 Ok: queued as ".count))
        let message = try #require(try daemon.controlJSON(["show", "message", id]) as? [String: Any])
        #expect(message["envelopeID"] as? String == "bs-1")
        #expect((message["recipients"] as? [[String: Any]])?.first?["notify"] as? String == "NEVER")
        #expect(LocalDeliveryTests.eventually(30) { Self.mailbox(daemon, "ivy").count == 1 })
        #expect(try #require(Self.mailbox(daemon, "ivy").first).hasSuffix("\n\n.dot-stuffed\n"))
    }

    @Test("-bs asks the daemon about each RCPT: one no rule takes gets 550, the others are queued", .timeLimit(.minutes(1)))
    func smtpRecipientChecks() throws {
        let daemon = try TernDaemonProcess(config: Self.config)
        let dialogue = "EHLO local\r\nMAIL FROM:<henry@example.test>\r\nRCPT TO:<nobody@elsewhere.test>\r\nRCPT TO:<judy@example.test>\r\n"
            + "DATA\r\nSubject: checked\r\n\r\nbody\r\n.\r\nQUIT\r\n"
        let result = try Self.sendmail(daemon, ["-bs"], input: dialogue)
        let lines = result.output.split(separator: "\r\n").map(String.init)
        let refused = try #require(lines.first { $0.hasPrefix("550 ") }, "\(result.output)")
        #expect(refused.hasPrefix("550 5.7.1 ") && refused.contains("nobody@elsewhere.test"), "\(refused)")
        #expect(lines.contains { $0.hasPrefix("250 2.0.0 Ok: queued as ") }, "\(result.output)")
        #expect(LocalDeliveryTests.eventually(30) { Self.mailbox(daemon, "judy").count == 1 })
    }

    /// A non-blocking connection to the Unix socket at `path`, or nil when it was refused (the backlog full).
    static func connectNonBlocking(_ path: String) -> Int32? {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path.utf8)
            raw[path.utf8.count] = 0
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { return nil }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    @Test("a flood of idle connections to the submission socket is served 64 at a time: ternd's threads stay bounded, and it takes submissions after", .timeLimit(.minutes(1)))
    func submissionSocketFlood() throws {
        let daemon = try TernDaemonProcess(config: Self.config)
        let threads = { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(daemon.pid)/task").count) ?? 0 }
        let before = threads()
        let path = daemon.workspace.file("var/enqueue.sock")
        var connections = (0..<300).compactMap { _ in Self.connectNonBlocking(path) }
        defer { connections.forEach { close($0) } }
        #expect(connections.count > 64, "only \(connections.count) connections")
        Thread.sleep(forTimeInterval: 0.5)
        let during = threads()
        #expect(during <= before + 64 + 2, "\(during) threads with \(connections.count) idle connections, \(before) before")
        connections.forEach { close($0) }
        connections = []
        let result = try Self.sendmail(daemon, ["kate@example.test"], input: "Subject: after the flood\n\nx\n")
        #expect(result.status == 0, "\(result.error)")
        #expect(LocalDeliveryTests.eventually(30) { Self.mailbox(daemon, "kate").count == 1 })
    }

    @Test("-bp lists queued messages with their recipients", .timeLimit(.minutes(1)))
    func listQueue() throws {
        let daemon = try TernDaemonProcess(config: Self.config)
        #expect(try Self.sendmail(daemon, ["-bp"], input: "").output == "Mail queue is empty\n")
        #expect(try daemon.control(["pause", "mda"]).status == 0)
        let result = try Self.sendmail(daemon, ["-v", "jack@example.test"], input: "Subject: held\n\nx\n")
        let id = try #require(Self.queuedID(result), "\(result.output) \(result.error)")
        let listing = try Self.sendmail(daemon, ["-bp"], input: "")
        #expect(listing.status == 0)
        #expect(listing.output.contains("\(id) "), "\(listing.output)")
        #expect(listing.output.contains("jack@example.test"))
        #expect(listing.output.contains("in 1 Request."))
    }

    @Test("-oQ writes into the journal of a stopped daemon, which delivers the message when it starts", .timeLimit(.minutes(1)))
    func offline() throws {
        let workspace = Workspace()
        let first = try TernDaemonProcess(config: Self.config, workspace: workspace)
        let tool = BuiltProducts.path("tern-sendmail")
        let busy = try runCommand(tool, ["-oQ", first.queuePath, "kim@example.test"], input: Data("\n".utf8))
        #expect(busy.status == 75)
        #expect(busy.error.contains("is in use"), "\(busy.error)")
        first.stop()
        let result = try runCommand(tool, ["-v", "-N", "never", "-oQ", first.queuePath, "kim@example.test"], input: Data("Subject: offline\n\nqueued offline\n".utf8))
        #expect(result.status == 0, "\(result.error)")
        #expect(Self.queuedID(result) != nil)
        let listing = try runCommand(tool, ["-bp", "-oQ", first.queuePath], input: nil)
        #expect(listing.output.contains("kim@example.test"), "\(listing.output) \(listing.error)")
        #expect(try runCommand(tool, ["-bs", "-oQ", first.queuePath], input: nil).status == 64)
        let second = try TernDaemonProcess(config: Self.config, workspace: workspace)
        #expect(LocalDeliveryTests.eventually(30) { Self.mailbox(first, "kim").count == 1 }, "\(second.log)")
        let delivered = try #require(Self.mailbox(first, "kim").first)
        #expect(delivered.contains("\nSubject: offline\nFrom: "))
        #expect(delivered.hasSuffix("\n\nqueued offline\n"))
    }

    @Test("usage errors exit 64, bad addresses 65, and a stopped daemon 75", .timeLimit(.minutes(1)))
    func exitStatuses() throws {
        let daemon = try TernDaemonProcess(config: Self.config)
        let unknown = try Self.sendmail(daemon, ["-X", "x@example.test"], input: "")
        #expect(unknown.status == 64)
        #expect(unknown.error.contains("unknown option -X"))
        #expect(try Self.sendmail(daemon, ["-N", "sometimes", "x@example.test"], input: "").status == 64)
        #expect(try Self.sendmail(daemon, ["bad@@example.test"], input: "\n").status == 65)
        #expect(try Self.sendmail(daemon, ["-t"], input: "Subject: nobody\n\n").status == 65)
        let refused = try Self.sendmail(daemon, ["someone@elsewhere.test"], input: "\n")
        #expect(refused.status == 65, "\(refused.error)")
        #expect(refused.error.contains("no rule accepts it"), "\(refused.error)")
        daemon.stop()
        let stopped = try Self.sendmail(daemon, ["x@example.test"], input: "\n")
        #expect(stopped.status == 75)
        #expect(stopped.error.contains("not running"), "\(stopped.error)")
    }
}
