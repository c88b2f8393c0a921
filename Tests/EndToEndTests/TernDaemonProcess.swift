import Foundation
import Testing

/// A real `ternd` started on loopback with a configuration written for the
/// test, stopped (SIGTERM, then SIGKILL after a grace period) by `stop()`
/// or when it is released.
final class TernDaemonProcess: @unchecked Sendable {
    // @unchecked: the process and paths are set once in init; `stop` is idempotent behind `lock`.
    let workspace: Workspace
    let port: Int
    /// A second free port, for configurations with two listeners (`$PORT2`).
    let port2: Int
    let configPath: String
    let logPath: String
    var queuePath: String { workspace.file("var/queue") }
    private let process = Process()
    private let lock = NSLock()
    private var stopped = false

    /// Starts ternd with `config`, in which `$PORT`, `$PORT2` and `$DIR` are
    /// replaced by two free ports and the workspace path; waits until it
    /// accepts connections on the first port.
    init(config: String, workspace: Workspace = Workspace(), port: Int = freePort(), arguments: [String] = []) throws {
        self.workspace = workspace
        self.port = port
        port2 = freePort()
        let text = config.replacingOccurrences(of: "$PORT2", with: "\(port2)").replacingOccurrences(of: "$PORT", with: "\(port)")
            .replacingOccurrences(of: "$DIR", with: workspace.path)
        configPath = workspace.write("tern.conf", text)
        logPath = workspace.file("ternd.log")
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: BuiltProducts.path("ternd"))
        process.arguments = ["-f", configPath] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: workspace.path)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = log
        process.standardError = log
        try process.run()
        try waitUntilListening()
    }

    deinit { stop() }

    var pid: Int32 { process.processIdentifier }
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    private func waitUntilListening() throws {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            guard process.isRunning else { throw HarnessError("ternd exited with \(process.terminationStatus):\n\(log)") }
            // Sockets listen from start-up (before privileges drop); the daemon serves once it says it started.
            if log.contains("ternd started") && canConnect(port: port) { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw HarnessError("ternd did not listen on port \(port) within 30 s:\n\(log)")
    }

    /// SIGTERM, then SIGKILL if it has not exited within `grace` seconds; returns the exit status.
    @discardableResult
    func stop(grace: Double = 15) -> Int32 {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return process.terminationStatus }
        stopped = true
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning {
            Issue.record("ternd did not stop within \(grace)s of SIGTERM")
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Kills the daemon with SIGKILL, as a crash would.
    func crash() {
        lock.lock()
        defer { lock.unlock() }
        stopped = true
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Runs `ternctl` against this daemon's journal.
    func ternctl(_ arguments: [String]) throws -> CommandResult {
        try runCommand(BuiltProducts.path("ternctl"), arguments + ["--queue", queuePath], timeout: 60)
    }

    /// The daemon's control socket when the configuration leaves the default (`./var/control.sock`).
    var controlSocket: String { workspace.file("var/control.sock") }

    /// Runs a live `ternctl` command through this daemon's control socket.
    func control(_ arguments: [String], input: Data? = nil) throws -> CommandResult {
        try runCommand(BuiltProducts.path("ternctl"), arguments + ["--socket", controlSocket], input: input, timeout: 60)
    }

    /// A live `ternctl … --json` answer, parsed.
    func controlJSON(_ arguments: [String]) throws -> Any {
        let result = try control(arguments + ["--json"])
        guard result.status == 0 else { throw HarnessError("ternctl \(arguments) failed (\(result.status)): \(result.error)") }
        return try JSONSerialization.jsonObject(with: Data(result.output.utf8))
    }

    /// The queue as `ternctl show queue --all --json` reports it.
    func queue() throws -> [[String: Any]] {
        let result = try ternctl(["show", "queue", "--all", "--json"])
        guard result.status == 0, let list = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [[String: Any]] else {
            throw HarnessError("ternctl show queue failed (\(result.status)): \(result.error)")
        }
        return list
    }

    /// The stored bytes of message `id`.
    func body(of id: String) throws -> Data {
        let result = try ternctl(["show", "message", id, "--raw"])
        guard result.status == 0 else { throw HarnessError("ternctl show message \(id) failed: \(result.error)") }
        return result.outputData
    }
}

/// Whether something accepts TCP connections on 127.0.0.1:`port`.
func canConnect(port: Int) -> Bool {
    canConnect(address: "127.0.0.1", port: port)
}
