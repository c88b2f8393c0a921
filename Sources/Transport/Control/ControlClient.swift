#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A blocking client of the control socket, for the command-line tools.
///
/// One connection, one request at a time; each call waits for its response.
public final class ControlClient {
    /// Why a request could not be made.
    public struct Failure: Error, CustomStringConvertible {
        public enum Code: Sendable {
            /// Nothing listens on the socket: the daemon is not running.
            case notRunning
            /// The socket exists but refuses us (permissions).
            case permissionDenied
            /// Reading or writing failed, or the daemon closed the connection.
            case connectionLost
            /// The daemon's answer is not a response of our protocol.
            case malformedResponse
        }

        public let code: Code
        public let description: String
    }

    private let fd: Int32
    private var pending: [UInt8] = []

    /// Connects to the daemon's control socket at `path`.
    public init(path: String) throws(Failure) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity else {
            throw Failure(code: .notRunning, description: "control socket path \(path) is longer than \(capacity - 1) bytes")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path.utf8)
            raw[path.utf8.count] = 0
        }
        #if canImport(Glibc)
        let socketType = Int32(SOCK_STREAM.rawValue)
        #else
        let socketType = SOCK_STREAM
        #endif
        let fd = socket(AF_UNIX, socketType, 0)
        guard fd >= 0 else { throw Failure(code: .connectionLost, description: "cannot create a socket: \(String(cString: strerror(errno)))") }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else {
            let error = errno
            close(fd)
            switch error {
            case ENOENT, ECONNREFUSED:
                throw Failure(code: .notRunning, description: "ternd is not running (nothing listens on the control socket \(path))")
            case EACCES, EPERM:
                throw Failure(code: .permissionDenied, description: "no permission to use the control socket \(path); run as the daemon's user")
            default:
                throw Failure(code: .connectionLost, description: "cannot connect to \(path): \(String(cString: strerror(error)))")
            }
        }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Sends one command and waits for its result.
    public func send(_ command: ControlCommand) throws(Failure) -> ControlResult {
        let line: [UInt8]
        do {
            line = try ControlProtocol.encode(ControlRequest(command))
        } catch {
            throw Failure(code: .malformedResponse, description: "cannot encode the request: \(error)")
        }
        try writeAll(line)
        let response = try readLine()
        do {
            let decoded = try ControlProtocol.decode(ControlResponse.self, from: response)
            return decoded.result
        } catch {
            throw Failure(code: .malformedResponse, description: "the daemon's answer is not understood (\(error)); are ternctl and ternd the same version?")
        }
    }

    private func writeAll(_ bytes: [UInt8]) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw Failure(code: .connectionLost, description: "the daemon closed the control connection") }
            offset += written
        }
    }

    private func readLine() throws(Failure) -> [UInt8] {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(pending[..<newline])
                pending.removeSubrange(...newline)
                return line
            }
            guard pending.count <= ControlProtocol.maxLineLength else {
                throw Failure(code: .malformedResponse, description: "the daemon's answer exceeds \(ControlProtocol.maxLineLength) bytes")
            }
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw Failure(code: .connectionLost, description: "the daemon closed the control connection before answering") }
            pending.append(contentsOf: chunk[..<count])
        }
    }
}
