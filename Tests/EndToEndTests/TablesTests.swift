import Foundation
import Testing

/// Tables, aliases, virtual domains and user bases through the real ternd and
/// swaks: the configurations of the README's "Tables, aliases and virtual
/// domains" section.
@Suite("Tables, aliases and virtual domains end to end", .serialized)
struct TablesTests {
    /// Aliases from a file, virtual users inline, users of neither in a userbase.
    static let config = """
        hostname mx.test
        queue path "$DIR/var/queue" retry 1s..2s expire 1h warn 30m
        listen on 127.0.0.1 port $PORT

        table aliases file:$DIR/aliases
        table users { alice = "1000:1000:$DIR/home/alice", bob = "1001:1001:$DIR/home/bob", \\
                      carol = "1002:1002:$DIR/home/carol", catchall = "1003:1003:$DIR/home/catchall" }
        table vusers { "bob@virtual.test" = bob, "sales@virtual.test" = "alice, carol", \\
                       "fwd@virtual.test" = "dave@plain.test", "@virtual.test" = catchall }

        action "local" maildir "$DIR/mail/%{user.username}/Maildir" alias <aliases> userbase <users>
        action "virtual" maildir "%{user.directory}/Maildir" virtual <vusers> userbase <users>
        action "plain" maildir "$DIR/mail/%{user.username}/Maildir"

        match from any for domain "example.test" action "local"
        match from any for domain "virtual.test" action "virtual"
        match from any for domain "plain.test" action "plain"
        """

    static let aliases = """
        # aliases(5) syntax: lists, nesting, continuation lines
        staff: alice, bob,
               team
        team:  carol, bob
        loop1: loop2
        loop2: loop1
        """

    static func start(_ config: String = config, aliases: String = aliases) throws -> TernDaemonProcess {
        let workspace = Workspace()
        workspace.write("aliases", aliases)
        return try TernDaemonProcess(config: config, workspace: workspace)
    }

    static func swaks(_ daemon: TernDaemonProcess, to: String, from: String = "sender@plain.test", _ extra: [String] = []) throws -> CommandResult {
        try IngressTests.swaks(daemon.port, ["--from", from, "--to", to, "--header", "Subject: tables"] + extra)
    }

    static func inbox(_ daemon: TernDaemonProcess, _ path: String) -> [String] {
        let directory = daemon.workspace.file(path)
        return LocalDeliveryTests.files(in: directory).compactMap { try? String(contentsOfFile: directory + "/" + $0, encoding: .utf8) }
    }

    @Test("an alias fans out to several maildirs, nested lists included, one copy each", .timeLimit(.minutes(1)))
    func aliasFanOut() throws {
        let daemon = try Self.start()
        let result = try Self.swaks(daemon, to: "staff@example.test")
        #expect(result.output.contains("250 2.0.0"), "\(result.output)")
        for user in ["alice", "bob", "carol"] {
            #expect(LocalDeliveryTests.eventually { Self.inbox(daemon, "mail/\(user)/Maildir/new").count == 1 }, "\(user): \(daemon.log)")
        }
        let copy = try #require(Self.inbox(daemon, "mail/carol/Maildir/new").first)
        if geteuid() == 0 {
            let directory = daemon.workspace.file("mail/carol/Maildir/new")
            var info = stat()
            #expect(stat(directory + "/" + LocalDeliveryTests.files(in: directory)[0], &info) == 0)
            #expect(info.st_uid == 1002 && info.st_gid == 1002, "running as root, the userbase's uid and gid own the message")
        }
        #expect(copy.contains("Delivered-To: staff@example.test"))
        // The log line follows the journal commit, which may come after the copies land.
        #expect(LocalDeliveryTests.eventually(10) { daemon.log.contains("status=sent (expanded; delivered to alice, bob, carol)") }, "\(daemon.log)")
        #expect(daemon.log.contains("to=<staff@example.test> relay=local"))
        Thread.sleep(forTimeInterval: 0.5)
        #expect(Self.inbox(daemon, "mail/bob/Maildir/new").count == 1, "bob is in two lists but gets one copy")
    }

    @Test("an unknown local or virtual user is refused with 550 5.1.1 at RCPT, a known one accepted", .timeLimit(.minutes(1)))
    func unknownUser() throws {
        let daemon = try Self.start()
        let client = try RawSMTPClient(port: daemon.port)
        _ = client.reply()
        _ = client.command("EHLO client.test")
        #expect(client.command("MAIL FROM:<sender@plain.test>")?.hasPrefix("250") == true)
        #expect(client.command("RCPT TO:<ghost@example.test>")?.hasPrefix("550 5.1.1") == true)
        #expect(client.command("RCPT TO:<alice@example.test>")?.hasPrefix("250") == true)
        #expect(client.command("RCPT TO:<Alice+tag@example.test>")?.hasPrefix("250") == true)
        #expect(client.command("RCPT TO:<postmaster@example.test>")?.hasPrefix("250") == true)
        #expect(client.command("RCPT TO:<bob@virtual.test>")?.hasPrefix("250") == true)
        _ = client.command("QUIT")
        let swaks = try Self.swaks(daemon, to: "nobody@example.test")
        #expect(swaks.output.contains("<** 550 5.1.1 User unknown"), "\(swaks.output)")
        // postmaster has no alias and root is not in the userbase: the system's root.
        #expect(try Self.swaks(daemon, to: "postmaster@example.test").output.contains("250 2.0.0"))
        #expect(LocalDeliveryTests.eventually { Self.inbox(daemon, "mail/root/Maildir/new").count == 1 }, "\(daemon.log)")
        #expect(daemon.log.contains("550 User unknown; from=<sender@plain.test> to=<nobody@example.test>") || daemon.log.contains("to=<nobody@example.test>"))
    }

    @Test("an alias loop fails the recipient with 5.4.6 and a DSN that names the loop", .timeLimit(.minutes(1)))
    func aliasLoop() throws {
        let daemon = try Self.start()
        let result = try Self.swaks(daemon, to: "loop1@example.test", from: "frank@plain.test")
        #expect(result.output.contains("250 2.0.0"), "\(result.output)")
        #expect(LocalDeliveryTests.eventually { Self.inbox(daemon, "mail/frank/Maildir/new").count == 1 }, "\(daemon.log)")
        let bounce = try #require(Self.inbox(daemon, "mail/frank/Maildir/new").first)
        #expect(bounce.contains("Action: failed"))
        #expect(bounce.contains("Status: 5.4.6"))
        #expect(bounce.contains("Final-Recipient: rfc822; loop1@example.test"))
        #expect(bounce.contains("alias loop: loop1 -> loop2 -> loop1"), "\(bounce)")
        #expect(daemon.log.contains("dsn=5.4.6 status=bounced (alias loop: loop1 -> loop2 -> loop1)"), "\(daemon.log)")
    }

    @Test("virtual users: exact entries, lists, a catch-all, and a forward through the journal", .timeLimit(.minutes(1)))
    func virtualDomain() throws {
        let daemon = try Self.start()
        for recipient in ["bob@virtual.test", "sales@virtual.test", "whoever@virtual.test", "fwd@virtual.test"] {
            let result = try Self.swaks(daemon, to: recipient)
            #expect(result.output.contains("250 2.0.0"), "\(recipient): \(result.output)")
        }
        // %{user.directory} is the userbase's home.
        #expect(LocalDeliveryTests.eventually { Self.inbox(daemon, "home/bob/Maildir/new").count == 1 }, "\(daemon.log)")
        #expect(LocalDeliveryTests.eventually { Self.inbox(daemon, "home/alice/Maildir/new").count == 1 })
        #expect(LocalDeliveryTests.eventually { Self.inbox(daemon, "home/carol/Maildir/new").count == 1 })
        #expect(LocalDeliveryTests.eventually { Self.inbox(daemon, "home/catchall/Maildir/new").count == 1 })
        let catchall = try #require(Self.inbox(daemon, "home/catchall/Maildir/new").first)
        #expect(catchall.contains("Delivered-To: whoever@virtual.test"))
        // fwd@virtual.test became a new message to dave@plain.test, delivered by the plain action.
        #expect(LocalDeliveryTests.eventually { Self.inbox(daemon, "mail/dave/Maildir/new").count == 1 }, "\(daemon.log)")
        let forwarded = try #require(Self.inbox(daemon, "mail/dave/Maildir/new").first)
        #expect(forwarded.contains("Return-Path: <sender@plain.test>"))
        #expect(forwarded.contains("Delivered-To: fwd@virtual.test"))
        #expect(daemon.log.contains("status=sent (expanded; forwarded to dave@plain.test)"), "\(daemon.log)")
    }

    @Test("NOTIFY=SUCCESS on an alias with several targets gives an 'expanded' DSN", .timeLimit(.minutes(1)))
    func expandedDSN() throws {
        let daemon = try Self.start()
        // swaks has no DSN options: RCPT with NOTIFY by hand.
        let client = try RawSMTPClient(port: daemon.port)
        _ = client.reply()
        _ = client.command("EHLO client.test")
        #expect(client.command("MAIL FROM:<alice@example.test>")?.hasPrefix("250") == true)
        #expect(client.command("RCPT TO:<team@example.test> NOTIFY=SUCCESS")?.hasPrefix("250") == true)
        #expect(client.command("DATA")?.hasPrefix("354") == true)
        client.send("Subject: team\r\n\r\nhello\r\n.\r\n")
        #expect(client.reply()?.hasPrefix("250") == true)
        _ = client.command("QUIT")
        // alice is a userbase user of the alias action, so the report lands in her maildir.
        #expect(LocalDeliveryTests.eventually { Self.inbox(daemon, "mail/alice/Maildir/new").count == 1 }, "\(daemon.log)")
        let report = try #require(Self.inbox(daemon, "mail/alice/Maildir/new").first)
        #expect(report.contains("Action: expanded"), "\(report)")
        #expect(report.contains("Final-Recipient: rfc822; team@example.test"))
        #expect(report.contains("Delivered to an alias"))
        #expect(Self.inbox(daemon, "mail/carol/Maildir/new").count == 1)
    }

    @Test("SIGHUP re-reads a file table: a domain added to it is accepted afterwards", .timeLimit(.minutes(1)))
    func reloadFileTable() throws {
        let workspace = Workspace()
        workspace.write("domains", "first.test\n")
        let daemon = try TernDaemonProcess(config: """
            hostname mx.test
            queue path "$DIR/var/queue"
            listen on 127.0.0.1 port $PORT
            table domains file:$DIR/domains
            action "local" maildir "$DIR/mail/%{user.username}/Maildir"
            match from any for domain <domains> action "local"
            """, workspace: workspace)
        #expect(try Self.swaks(daemon, to: "a@first.test").output.contains("250 2.0.0"))
        #expect(try Self.swaks(daemon, to: "a@second.test").output.contains("<** 550 5.7.1"))
        workspace.write("domains", "first.test\nsecond.test   # added\n")
        kill(daemon.pid, SIGHUP)
        #expect(LocalDeliveryTests.eventually(10) { daemon.log.contains("configuration reloaded") })
        #expect(try Self.swaks(daemon, to: "a@second.test").output.contains("250 2.0.0"))
    }

    @Test("SQLite virtual users and user base: known users delivered, unknown refused at RCPT", .timeLimit(.minutes(1)))
    func sqliteVirtualUsers() throws {
        let workspace = Workspace()
        let sqlite = try requireTool("/usr/bin/sqlite3")
        let database = workspace.file("users.db")
        let created = try runCommand(sqlite, [database, """
            CREATE TABLE virtuals (address TEXT, target TEXT);
            CREATE TABLE users (name TEXT PRIMARY KEY, uid INTEGER, gid INTEGER, home TEXT);
            INSERT INTO virtuals VALUES ('erin@db.test', 'erin'), ('@db.test', 'erin');
            INSERT INTO virtuals VALUES ('team@db.test', 'erin'), ('team@db.test', 'ops@plain.test');
            INSERT INTO users VALUES ('erin', 2000, 2000, '\(workspace.file("home/erin"))');
            """])
        #expect(created.status == 0, "\(created.error)")
        workspace.write("users.conf", """
            dbpath users.db
            query_virtual SELECT target FROM virtuals WHERE address = ?
            query_userinfo SELECT uid, gid, home FROM users WHERE name = ?
            """)
        let daemon = try TernDaemonProcess(config: """
            hostname mx.test
            queue path "$DIR/var/queue"
            listen on 127.0.0.1 port $PORT
            table vdb sqlite:$DIR/users.conf
            action "vmail" maildir "%{user.directory}/Maildir" virtual <vdb> userbase <vdb>
            action "plain" maildir "$DIR/mail/%{user.username}/Maildir"
            match from any for domain "db.test" action "vmail"
            match from any for domain "plain.test" action "plain"
            """, workspace: workspace)
        #expect(try Self.swaks(daemon, to: "erin@db.test").output.contains("250 2.0.0"))
        #expect(try Self.swaks(daemon, to: "anything@db.test").output.contains("250 2.0.0"), "the catch-all row")
        #expect(try Self.swaks(daemon, to: "team@db.test").output.contains("250 2.0.0"))
        #expect(LocalDeliveryTests.eventually { Self.inbox(daemon, "home/erin/Maildir/new").count == 3 }, "\(daemon.log)")
        #expect(LocalDeliveryTests.eventually { Self.inbox(daemon, "mail/ops/Maildir/new").count == 1 }, "\(daemon.log)")
        // Without the catch-all row, unknown addresses are refused at RCPT.
        _ = try runCommand(sqlite, [database, "DELETE FROM virtuals WHERE address = '@db.test';"])
        #expect(try Self.swaks(daemon, to: "anything@db.test").output.contains("<** 550 5.1.1"))
    }

    @Test("match criteria on tables: from src, from mail-from, for rcpt, from auth, with SQLite credentials", .timeLimit(.minutes(1)))
    func matchOnTables() throws {
        let workspace = Workspace()
        workspace.write("clients", "127.0.0.0/8\n::1\n")
        workspace.write("senders", "@trusted.test\nboss@corp.test\n")
        workspace.write("rcpts", "vip@example.test\n")
        workspace.write("admins", "alice\n")
        let sqlite = try requireTool("/usr/bin/sqlite3")
        let hash = TLSAndAuthTests.aliceHash
        let created = try runCommand(sqlite, [workspace.file("secrets.db"), """
            CREATE TABLE credentials (user TEXT, hash TEXT);
            INSERT INTO credentials VALUES ('alice', '\(hash)'), ('bob', '\(hash)');
            """])
        #expect(created.status == 0, "\(created.error)")
        workspace.write("secrets.conf", "dbpath secrets.db\nquery_credentials SELECT hash FROM credentials WHERE user = ?\n")
        let daemon = try TernDaemonProcess(config: """
            hostname mx.test
            queue path "$DIR/var/queue"
            table clients file:$DIR/clients
            table senders file:$DIR/senders
            table rcpts file:$DIR/rcpts
            table admins file:$DIR/admins
            table secrets sqlite:$DIR/secrets.conf
            listen on 127.0.0.1 port $PORT auth-optional <secrets> insecure
            action "local" maildir "$DIR/mail/%{user.username}/Maildir"
            action "vip" maildir "$DIR/vip/%{user.username}/Maildir"
            match from auth <admins> for domain "example.test" action "vip"
            match from src <clients> from mail-from <senders> for domain "example.test" action "vip"
            match from src <clients> for rcpt <rcpts> action "vip"
            match from any for domain "example.test" action "local"
            """, workspace: workspace)
        func send(_ from: String, _ to: String, auth user: String? = nil) throws {
            let login = user.map { ["-a", "PLAIN", "-au", $0, "-ap", "secret"] } ?? []
            let result = try IngressTests.swaks(daemon.port, ["--from", from, "--to", to] + login)
            #expect(result.output.contains("250 2.0.0"), "\(result.output)")
        }
        try send("x@trusted.test", "a@example.test")
        try send("boss@corp.test", "b@example.test")
        try send("x@other.test", "c@example.test")
        try send("x@other.test", "vip@example.test")
        try send("x@other.test", "d@example.test", auth: "alice")
        try send("x@other.test", "e@example.test", auth: "bob")
        let wrong = try IngressTests.swaks(daemon.port, ["--from", "x@other.test", "--to", "f@example.test", "-a", "PLAIN", "-au", "carol", "-ap", "secret"])
        #expect(wrong.output.contains("535 5.7.8"), "carol is not in the SQLite table")
        for (directory, user) in [("vip", "a"), ("vip", "b"), ("mail", "c"), ("vip", "vip"), ("vip", "d"), ("mail", "e")] {
            #expect(LocalDeliveryTests.eventually { Self.inbox(daemon, "\(directory)/\(user)/Maildir/new").count == 1 }, "\(directory)/\(user): \(daemon.log)")
        }
    }

    @Test("alias targets that are a file, a command and an :include: list", .timeLimit(.minutes(1)))
    func fileCommandInclude() throws {
        let workspace = Workspace()
        let script = workspace.write("pipe.sh", "#!/bin/sh\ncat > \(workspace.file("piped"))\n")
        chmod(script, 0o755)
        workspace.write("members", "# one per line\nalice\ncarol\n")
        workspace.write("aliases", """
            archive: \(workspace.file("archive.mbox")), "|\(script)"
            members: :include:\(workspace.file("members"))
            """)
        let daemon = try TernDaemonProcess(config: Self.config, workspace: workspace)
        #expect(try Self.swaks(daemon, to: "archive@example.test").output.contains("250 2.0.0"))
        #expect(try Self.swaks(daemon, to: "members@example.test").output.contains("250 2.0.0"))
        #expect(LocalDeliveryTests.eventually {
            (try? String(contentsOfFile: workspace.file("archive.mbox"), encoding: .utf8))?.contains("Subject: tables") == true
        }, "\(daemon.log)")
        let mbox = try String(contentsOfFile: workspace.file("archive.mbox"), encoding: .utf8)
        #expect(mbox.hasPrefix("From sender@plain.test "))
        #expect(LocalDeliveryTests.eventually { (try? String(contentsOfFile: workspace.file("piped"), encoding: .utf8))?.contains("Delivered-To: archive@example.test") == true })
        #expect(LocalDeliveryTests.eventually { Self.inbox(daemon, "mail/alice/Maildir/new").count == 1 && Self.inbox(daemon, "mail/carol/Maildir/new").count == 1 }, "\(daemon.log)")
    }

    @Test("forward-file: a user's ~/.forward sends copies on and keeps one with \\user", .timeLimit(.minutes(1)))
    func forwardFile() throws {
        let workspace = Workspace()
        try FileManager.default.createDirectory(atPath: workspace.file("home/bob"), withIntermediateDirectories: true)
        let forward = workspace.write("home/bob/.forward", "\\bob, dave@plain.test\n")
        chmod(forward, 0o644)
        workspace.write("aliases", "")
        let daemon = try TernDaemonProcess(config: Self.config.replacingOccurrences(
            of: "alias <aliases> userbase <users>", with: "alias <aliases> userbase <users> forward-file"
        ).replacingOccurrences(of: "$DIR/mail/%{user.username}/Maildir\" alias", with: "%{user.directory}/Maildir\" alias"), workspace: workspace)
        #expect(try Self.swaks(daemon, to: "bob@example.test").output.contains("250 2.0.0"))
        #expect(LocalDeliveryTests.eventually { Self.inbox(daemon, "home/bob/Maildir/new").count == 1 }, "\(daemon.log)")
        #expect(LocalDeliveryTests.eventually { Self.inbox(daemon, "mail/dave/Maildir/new").count == 1 }, "\(daemon.log)")
        #expect(daemon.log.contains("status=sent (expanded; delivered to bob; forwarded to dave@plain.test)"), "\(daemon.log)")
    }
}
