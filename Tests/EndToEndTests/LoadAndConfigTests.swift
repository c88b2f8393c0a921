import Foundation
import Testing
import TestSupport

/// Concurrent load from Postfix's smtp-source, and `ternd -n`.
@Suite("Load and configuration end to end", .serialized)
struct LoadAndConfigTests {
    @Test("smtp-source: 20 sessions, 2,000 messages, every one stored and the journal sound")
    func smtpSourceLoad() throws {
        let daemon = try TernDaemonProcess(config: IngressTests.config)
        let result = try runCommand(try requireTool("/usr/sbin/smtp-source"), [
            "-c", "-l", "1024", "-m", "2000", "-s", "20", "-f", "load@example.org", "-t", "rcpt@example.test",
            "127.0.0.1:\(daemon.port)",
        ], timeout: 300)
        #expect(result.status == 0, "smtp-source: \(result.error)")
        let queue = try daemon.queue()
        #expect(queue.count == 2000)
        #expect(Set(queue.compactMap { $0["id"] as? String }).count == 2000)
        #expect(queue.allSatisfy { ($0["size"] as? Int ?? 0) > 1024 })
        daemon.stop()
        let verify = try daemon.ternctl(["verify"])
        #expect(verify.status == 0, "\(verify.output)")
    }

    @Test("ternd -n prints the effective configuration of a good file")
    func checkGoodConfig() throws {
        let workspace = Workspace()
        let path = workspace.write("tern.conf", "listen on 127.0.0.1 port 2600\naction \"local\" mbox\nmatch from any for local action \"local\"\n")
        let result = try runCommand(BuiltProducts.path("ternd"), ["-n", "-f", path])
        #expect(result.status == 0)
        #expect(result.output.contains("listen on 127.0.0.1 port 2600"))
        #expect(result.output.contains("queue path"))
        #expect(result.error.contains("OK"))
    }

    @Test("ternd -n names the file, line and column of an error", arguments: [
        ("listen on 127.0.0.1 port abc\n", "tern.conf:1:"),
        ("listen on 127.0.0.1\nfrobnicate yes\n", "tern.conf:2:1:"),
        ("match from any for any action \"nowhere\"\n", "tern.conf:1:"),
    ])
    func checkBadConfig(text: String, location: String) throws {
        let workspace = Workspace()
        let path = workspace.write("tern.conf", text)
        let result = try runCommand(BuiltProducts.path("ternd"), ["-n", "-f", path])
        #expect(result.status == 78)
        #expect(result.error.contains(location), "\(result.error)")
    }

    @Test("ternd refuses to start on a missing file, saying which")
    func missingConfig() throws {
        let result = try runCommand(BuiltProducts.path("ternd"), ["-f", "/nonexistent/tern.conf"])
        #expect(result.status == 78)
        #expect(result.error.contains("/nonexistent/tern.conf"))
    }

    @Test("the embedded default configuration starts, accepts mail for localhost and stops on SIGTERM")
    func embeddedDefault() throws {
        try #require(!canConnect(port: 2525), "something else already listens on 127.0.0.1:2525")
        let workspace = Workspace()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BuiltProducts.path("ternd"))
        process.currentDirectoryURL = URL(fileURLWithPath: workspace.path)
        let log = Pipe()
        process.standardError = log
        let reader = PipeReader(log.fileHandleForReading)
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let deadline = Date().addingTimeInterval(30)
        while !canConnect(port: 2525) && Date() < deadline && process.isRunning { Thread.sleep(forTimeInterval: 0.05) }
        try #require(canConnect(port: 2525), "ternd did not listen on 127.0.0.1:2525")
        let result = try IngressTests.swaks(2525, ["--to", "user@localhost", "--from", "me@example.org"])
        #expect(result.output.contains("250 2.0.0 Ok: queued as"))
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let output = String(decoding: reader.wait(), as: UTF8.self)
        #expect(output.contains("ternd stopped"))
        #expect(FileManager.default.fileExists(atPath: workspace.file("var/queue/data.mdb")))
    }
}

/// Start-up refuses a queue directory that others can write to.
@Suite("Queue directory checks end to end")
struct QueueDirectoryTests {
    @Test("a group- or world-writable queue directory stops ternd at start with a clear message")
    func worldWritable() throws {
        let workspace = Workspace()
        let queue = workspace.file("var/queue")
        try FileManager.default.createDirectory(atPath: queue, withIntermediateDirectories: true)
        chmod(queue, 0o777)
        let config = workspace.write("tern.conf", "queue path \"\(queue)\"\nlisten on 127.0.0.1 port \(freePort())\n")
        let result = try runCommand(BuiltProducts.path("ternd"), ["-f", config], timeout: 30)
        #expect(result.status != 0)
        #expect(result.error.contains("is writable by group or others (mode 777)"))
    }
}
