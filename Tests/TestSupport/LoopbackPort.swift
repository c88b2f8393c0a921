import Foundation

/// Free ports on 127.0.0.1 for peers, found by binding port 0.
public enum LoopbackPort {
    /// A port that was free for both TCP and UDP a moment ago.
    public static func free() -> Int {
        while true {
            let port = bound(SOCK_STREAM, port: 0)
            if port > 0, bound(SOCK_DGRAM, port: port) == port { return port }
        }
    }

    /// Whether something listens on TCP `port` (a connection succeeds).
    public static func isAcceptingTCP(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = loopback(port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// Whether UDP `port` is taken (binding it fails).
    public static func isBoundUDP(_ port: Int) -> Bool {
        bound(SOCK_DGRAM, port: port) != port
    }

    /// Binds a socket of `type` to `port` (0: any), closes it, returns the port bound or -1.
    private static func bound(_ type: __socket_type, port: Int) -> Int {
        let fd = socket(AF_INET, Int32(type.rawValue), 0)
        guard fd >= 0 else { return -1 }
        defer { close(fd) }
        var address = loopback(port)
        let didBind = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard didBind else { return -1 }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) == 0 }
        }
        return named ? Int(UInt16(bigEndian: address.sin_port)) : -1
    }

    private static func loopback(_ port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }
}
