import Foundation
import Testing

/// A real peer from a Debian package (dnsmasq, smtp-sink, aiosmtpd, …)
/// run for one test on loopback, and always stopped again.
///
/// A missing binary fails the test with the package to install; a peer that
/// does not become ready in time fails it with what the peer printed. The
/// peer's output goes to a file, so a chatty peer never blocks on a full pipe.
///
/// Started with `posix_spawn` rather than Foundation's `Process`: `Process`
/// watches its children through an inherited socket, and peers that close
/// every descriptor at start (dnsmasq) make it block in `waitpid`, hanging
/// every other test that waits for a child. The child gets an empty signal
/// mask (the test process blocks SIGTERM in some threads).
public final class PeerProcess {
    private let pid: pid_t
    private var isReaped = false
    private let outputPath: String
    public let name: String

    /// Starts `executable` with `arguments`; fails when it is not installed.
    public init(_ executable: String, _ arguments: [String], package: String) throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: executable),
            "\(executable) is missing: install the Debian package \(package) (tools/test does)"
        )
        name = (executable as NSString).lastPathComponent
        outputPath = NSTemporaryDirectory() + "tern-peer-\(name)-\(UUID().uuidString).log"

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var defaultSignals = sigset_t()
        sigfillset(&defaultSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard status == 0 else {
            Issue.record("cannot start \(executable): \(String(cString: strerror(status)))")
            throw PeerError.exited(executable)
        }
        self.pid = pid
    }

    /// Runs `executable` to completion (at most `limit`) and returns its exit status and output.
    public static func run(
        _ executable: String, _ arguments: [String], package: String, limit: Duration = .seconds(30)
    ) throws -> (status: Int32, output: String) {
        let peer = try PeerProcess(executable, arguments, package: package)
        let deadline = ContinuousClock.now + limit
        var status: Int32 = 0
        while ContinuousClock.now < deadline {
            if waitpid(peer.pid, &status, WNOHANG) == peer.pid {
                peer.isReaped = true
                return ((status >> 8) & 0xFF, peer.output())
            }
            usleep(10_000)
        }
        Issue.record("\(executable) did not finish within \(limit): \(peer.collectedOutput())")
        throw PeerError.notReady(executable)
    }

    /// Whether the peer is still running (not yet exited).
    public var isRunning: Bool {
        guard !isReaped else { return false }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid {
            isReaped = true
            return false
        }
        return true
    }

    /// Waits until `isReady` holds, polling every 20 ms for at most `limit`.
    public func waitUntil(_ what: String, limit: Duration = .seconds(10), _ isReady: () -> Bool) throws {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if isReady() { return }
            if !isRunning {
                Issue.record("\(name) exited early: \(output())")
                throw PeerError.exited(name)
            }
            usleep(20_000)
        }
        Issue.record("\(name) not ready (\(what)) after \(limit): \(collectedOutput())")
        throw PeerError.notReady(name)
    }

    /// Asks the peer to stop with SIGTERM, so a master process can stop its
    /// children, and waits up to `grace` before `stop()`.
    public func terminate(grace: Duration = .seconds(5)) {
        guard !isReaped else { return }
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while isRunning && ContinuousClock.now < deadline { usleep(10_000) }
        stop()
    }

    /// Stops the peer with SIGKILL and reaps it. Idempotent.
    public func stop() {
        guard !isReaped else { return }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        isReaped = true
    }

    /// Everything the peer printed so far.
    public func output() -> String {
        (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    }

    /// Stops the peer and returns everything it printed.
    public func collectedOutput() -> String {
        stop()
        return output()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: outputPath)
    }

    public enum PeerError: Error {
        case exited(String)
        case notReady(String)
    }
}
