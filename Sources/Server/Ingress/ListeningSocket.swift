#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation
import NIOCore

/// A TCP socket bound and listening before the service that accepts on it
/// runs: ternd binds every listener at start-up, while it may still be root
/// (ports below 1024), and only then drops privileges (see `PrivilegeDrop`).
struct ListeningSocket: Sendable {
    /// The address bound, for log lines.
    let address: SocketAddress
    /// The listening socket; `SMTPListenerService` hands it to NIO, which owns it from then on.
    let descriptor: CInt

    /// The accept backlog.
    static let backlog: CInt = 1024

    /// Binds `address` with `SO_REUSEADDR` (IPv6 sockets with `IPV6_V6ONLY`,
    /// so `::` and `0.0.0.0` can be bound side by side) and listens.
    static func bind(_ address: SocketAddress) throws -> ListeningSocket {
        let descriptor = socket(address.protocol.rawValue, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw failure("socket", address) }
        var one: CInt = 1
        let size = socklen_t(MemoryLayout<CInt>.size)
        guard setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, size) == 0,
              address.protocol != .inet6 || setsockopt(descriptor, CInt(IPPROTO_IPV6), IPV6_V6ONLY, &one, size) == 0,
              address.withSockAddr({ Glibc.bind(descriptor, $0, socklen_t($1)) }) == 0,
              listen(descriptor, backlog) == 0
        else {
            let error = failure("bind", address)
            close(descriptor)
            throw error
        }
        return ListeningSocket(address: address, descriptor: descriptor)
    }

    /// Binds a Unix socket at `path` (replacing a stale file, creating its
    /// directory), sets its `mode` and gives it to `owner` when one is given.
    static func bindUnix(_ path: String, mode: mode_t, owner: PrivilegeDrop?) throws -> ListeningSocket {
        try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
        unlink(path)
        let socket = try bind(try SocketAddress(unixDomainSocketPath: path))
        guard chmod(path, mode) == 0 else {
            close(socket.descriptor)
            throw TernDaemon.StartupError(description: "cannot set mode \(String(mode, radix: 8)): \(String(cString: strerror(errno)))")
        }
        try owner?.handOver(path)
        return socket
    }

    private static func failure(_ call: String, _ address: SocketAddress) -> TernDaemon.StartupError {
        TernDaemon.StartupError(description: "listen on \(address): \(call): \(String(cString: strerror(errno)))")
    }
}
