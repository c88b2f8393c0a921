#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import Transport

/// The submission socket: `enqueue.sock` beside the control socket, mode
/// 0666, for the sendmail enqueuer of every local user. It speaks the control
/// protocol but takes only `enqueue`, `check recipient` and `show queue`, and
/// it names the submitter from the kernel's peer credentials (`SO_PEERCRED`),
/// never from the request, so a message's `user` cannot be forged.
///
/// Connections are served by plain threads: NIO does not expose a Unix
/// socket's peer credentials. Since any local user may connect, at most
/// ``maxConnections`` are served at once (the rest wait in the listen
/// backlog) and a request line may be no longer than an enqueue of a message
/// at the size limit needs.
struct SubmissionSocketService: Service {
    /// Connections served at once.
    static let maxConnections = 64

    let path: String
    let socket: ListeningSocket
    let dispatcher: ControlDispatcher
    /// The longest request line taken; see ``requestLimit(maxMessageSize:)``.
    let maxRequestLength: Int
    let logger: Logger

    /// The longest request an enqueue of a message of `maxMessageSize` bytes
    /// can need: JSON carries the message in base64 (4 bytes for 3), and 4 MiB
    /// more hold its envelope, up to thousands of recipients. A message's line
    /// endings only grow when ternd makes them CRLF, so a longer request is
    /// one ternd would refuse anyway.
    static func requestLimit(maxMessageSize: Int) -> Int {
        let (base64, overflow) = maxMessageSize.multipliedReportingOverflow(by: 4)
        return overflow ? ControlProtocol.maxLineLength : min(ControlProtocol.maxLineLength, base64 / 3 + (4 << 20))
    }

    /// The submission socket's path for a control socket at `controlPath`.
    static func path(besideControlSocket controlPath: String) -> String {
        URL(fileURLWithPath: controlPath).deletingLastPathComponent().appendingPathComponent("enqueue.sock").relativePath
    }

    /// Binds the socket (before privileges are dropped), mode 0666, owned by `owner` when given.
    static func bind(path: String, owner: PrivilegeDrop?) throws -> ListeningSocket {
        do {
            return try ListeningSocket.bindUnix(path, mode: 0o666, owner: owner)
        } catch {
            throw TernDaemon.StartupError(description: "submission socket \(path): \(error)")
        }
    }

    func run() async throws {
        logger.notice("submission socket \(path)")
        let listener = socket.descriptor
        let (dispatcher, logger, limit) = (self.dispatcher, self.logger, self.maxRequestLength)
        let slots = DispatchSemaphore(value: Self.maxConnections)
        let acceptor = Thread {
            while true {
                slots.wait()
                let connection = accept(listener, nil, nil)
                if connection < 0 {
                    let error = errno
                    slots.signal()
                    if error == EINTR || error == ECONNABORTED { continue }
                    if [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(error) {
                        // Out of descriptors or memory for now: try again shortly rather than stop serving.
                        logger.warning("submission socket: accept failed: \(String(cString: strerror(error))); retrying")
                        usleep(100_000)
                        continue
                    }
                    return
                }
                Thread.detachNewThread {
                    defer { slots.signal() }
                    Self.serve(connection, maxRequestLength: limit, dispatcher: dispatcher, logger: logger)
                }
            }
        }
        acceptor.start()
        try? await gracefulShutdown()
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        unlink(path)
    }

    /// The requests a submitter may make.
    static func isAllowed(_ command: ControlCommand) -> Bool {
        switch command {
        case .enqueue, .checkRecipient, .showQueue: true
        default: false
        }
    }

    /// Answers one connection's requests in order until it closes.
    private static func serve(_ connection: Int32, maxRequestLength: Int, dispatcher: ControlDispatcher, logger: Logger) {
        defer { close(connection) }
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var credentials = PeerCredentials()
        var length = socklen_t(MemoryLayout<PeerCredentials>.size)
        guard getsockopt(connection, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0 else { return }
        let user = getpwuid(credentials.uid).map { String(cString: $0.pointee.pw_name) } ?? "uid\(credentials.uid)"
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(pending[..<newline])
                pending.removeSubrange(...newline)
                let result = answer(line, user: user, dispatcher: dispatcher)
                guard let bytes = try? ControlProtocol.encode(ControlResponse(result)), bytes.withUnsafeBytes({ DescriptorWrite.all($0, to: connection) }) else { return }
            }
            guard pending.count <= maxRequestLength else {
                logger.notice("submission socket: a request from user \(user) exceeded \(maxRequestLength) bytes; connection closed")
                return
            }
            let count = chunk.withUnsafeMutableBytes { read(connection, $0.baseAddress!, $0.count) }
            guard count > 0 else { return }
            pending.append(contentsOf: chunk[..<count])
        }
    }

    private static func answer(_ line: [UInt8], user: String, dispatcher: ControlDispatcher) -> ControlResult {
        guard let request = try? ControlProtocol.decode(ControlRequest.self, from: line) else {
            return .failed("malformed request")
        }
        guard isAllowed(request.command) else {
            return .failed("only enqueue, check recipient and show queue are taken on the submission socket; use the control socket")
        }
        var command = request.command
        if case .enqueue(var submission) = command {
            submission.user = user
            command = .enqueue(submission)
        }
        let box = ResultBox()
        let done = DispatchSemaphore(value: 0)
        Task {
            box.result = await dispatcher.handle(command)
            done.signal()
        }
        done.wait()
        return box.result ?? .failed("no answer")
    }

    /// `struct ucred` of <sys/socket.h>, which Glibc's module leaves out (it needs `_GNU_SOURCE`).
    private struct PeerCredentials {
        var pid: Int32 = 0
        var uid: UInt32 = 0
        var gid: UInt32 = 0
    }

    /// Carries a result from the task to the waiting thread.
    private final class ResultBox: @unchecked Sendable {
        // @unchecked: written by the task before it signals, read by the thread after it waits.
        var result: ControlResult?
    }
}
