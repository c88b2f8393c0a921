import Foundation
import Testing
import TestSupport

/// Remote servers that misbehave while ternd delivers to them: one that
/// accepts and never greets, one that resets the connection mid-transaction,
/// one that answers with something other than SMTP, one that answers slowly.
/// ternd must defer (a 4xx, retried), never crash and never bounce for a
/// temporary condition, and deliver once the server behaves.
@Suite("Hostile remote servers end to end", .serialized)
struct HostileServerTests {
    /// A one-file SMTP server in Python's asyncio whose behaviour for each new
    /// connection is read from the file named by its first argument:
    /// `hang` (no greeting), `stall` (no reply to MAIL), `reset` (at DATA),
    /// `garbage` or `slow`. It writes each message it takes
    /// into the directory named by its second argument.
    static let server = #"""
        import asyncio, os, socket, struct, sys, time
        mode_file, out_dir, port = sys.argv[1], sys.argv[2], int(sys.argv[3])

        async def reply(writer, text, delay=0):
            if delay: await asyncio.sleep(delay)
            writer.write(text.encode() + b"\r\n")
            await writer.drain()

        def reset(writer):
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()

        async def session(reader, writer):
            mode = open(mode_file).read().strip()
            print("connection", mode, flush=True)
            delay = 1.0 if mode == "slow" else 0
            try:
                if mode == "hang":
                    await asyncio.sleep(3600)
                if mode == "garbage":
                    await reply(writer, "HTTP/1.1 400 Bad Request")
                    await reply(writer, "Content-Type: text/html")
                    await reader.read(1000)
                    writer.close()
                    return
                await reply(writer, "220 hostile.test ESMTP", delay)
                data, message = False, []
                while True:
                    line = await reader.readline()
                    if not line: return
                    if data:
                        if line == b".\r\n":
                            data = False
                            name = os.path.join(out_dir, "%f" % time.time())
                            with open(name, "wb") as f: f.write(b"".join(message))
                            await reply(writer, "250 2.0.0 taken", delay)
                        else:
                            message.append(line)
                        continue
                    verb = line[:4].upper()
                    if verb == b"MAIL" and mode == "stall":
                        await asyncio.sleep(3600)
                    if verb == b"EHLO":
                        await reply(writer, "250-hostile.test\r\n250 PIPELINING", delay)
                    elif verb == b"DATA":
                        if mode == "reset":
                            reset(writer)
                            return
                        data, message = True, []
                        await reply(writer, "354 go ahead", delay)
                    elif verb == b"QUIT":
                        await reply(writer, "221 bye")
                        writer.close()
                        return
                    else:
                        await reply(writer, "250 2.0.0 ok", delay)
            except (ConnectionError, asyncio.CancelledError):
                pass

        async def main():
            server = await asyncio.start_server(session, "127.0.0.1", port)
            print("listening", flush=True)
            async with server:
                await server.serve_forever()

        asyncio.run(main())
        """#

    static func config(serverPort: Int) -> String {
        """
        hostname relay.test
        queue path "$DIR/var/queue" retry 1s..1s expire 1h warn 30m
        smtp timeout initial 2s mail 3s rcpt 5s data-init 5s data-block 5s data-termination 5s
        listen on 127.0.0.1 port $PORT
        action "out" relay host smtp://127.0.0.1:\(serverPort)
        match from any for domain "example.test" action "out"
        """
    }

    /// The `status=deferred` delivery log lines so far.
    static func deferrals(_ daemon: TernDaemonProcess) -> [String] {
        daemon.log.split(separator: "\n").filter { $0.contains("status=deferred") }.map(String.init)
    }

    @Test("a server that hangs, stalls, resets, or answers garbage defers the message; a slow one gets it, once",
          .timeLimit(.minutes(3)))
    func hostileServers() throws {
        let workspace = Workspace()
        let serverPort = freePort()
        let modeFile = workspace.write("mode", "hang")
        let received = workspace.file("received")
        try FileManager.default.createDirectory(atPath: received, withIntermediateDirectories: true)
        let script = workspace.write("hostile.py", Self.server)
        let server = try PeerProcess("/usr/bin/python3", [script, modeFile, received, "\(serverPort)"], package: "python3")
        defer { server.stop() }
        try server.waitUntil("the hostile server on port \(serverPort)") { canConnect(port: serverPort) }

        let daemon = try TernDaemonProcess(config: Self.config(serverPort: serverPort), workspace: workspace)
        let id = try LocalDeliveryTests.send(daemon, to: "bob@example.test", body: "Subject: hostile\r\n\r\nhello\r\n")

        // Each misbehaviour in turn: the attempt is deferred with a 4xx status and retried.
        var seen = 0
        for mode in ["hang", "stall", "reset", "garbage"] {
            try mode.write(toFile: modeFile, atomically: true, encoding: .utf8)
            let deferred = LocalDeliveryTests.eventually(30) { Self.deferrals(daemon).count > seen }
            try #require(deferred, "no deferral with a server that does \(mode):\n\(daemon.log.suffix(2000))")
            let lines = Self.deferrals(daemon)
            seen = lines.count
            let line = try #require(lines.last)
            print("HostileServerTests: \(mode): \(line.split(separator: " ").drop { !$0.hasPrefix("dsn=") }.joined(separator: " "))")
            #expect(line.contains("dsn=4."), "\(mode): \(line)")
            #expect(canConnect(port: daemon.port), "ternd stopped listening after \(mode)")
            Thread.sleep(forTimeInterval: 0.2)
            seen = Self.deferrals(daemon).count
        }

        // A slow server, still within the time-outs: delivered.
        try "slow".write(toFile: modeFile, atomically: true, encoding: .utf8)
        let sent = LocalDeliveryTests.eventually(60) { daemon.log.contains("status=sent") }
        #expect(sent, "not delivered to the slow server:\n\(daemon.log.suffix(2000))")
        let messages = try FileManager.default.contentsOfDirectory(atPath: received)
        #expect(messages.count == 1, "the server took \(messages.count) copies")
        let queue = try daemon.queue()
        #expect(queue.count == 1, "ternd queued a report (a bounce?): \(queue)")
        let recipients = queue.flatMap { ($0["recipients"] as? [[String: Any]]) ?? [] }
        #expect(recipients.map { $0["state"] as? String } == ["delivered"])
        #expect(!daemon.log.contains("status=bounced"))
        #expect(queue.first?["id"] as? String == id)
        #expect(daemon.stop() == 0)
    }
}
