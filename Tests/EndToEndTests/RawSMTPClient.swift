import Foundation

/// A plain blocking TCP client for hostile-input tests: it sends exactly the
/// bytes given and reads what the server answers, with time-outs.
final class RawSMTPClient {
    private let fd: Int32
    private var pending = Data()

    init(port: Int, timeout: Int = 10) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else {
            close(fd)
            throw HarnessError("cannot connect to 127.0.0.1:\(port)")
        }
    }

    deinit { close(fd) }

    func send(_ text: String) { send(Data(text.utf8)) }

    func send(_ data: Data) {
        data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let sent = Glibc.send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                if sent <= 0 { return }
                offset += sent
            }
        }
    }

    /// The next complete reply (all its lines), or nil when the server closed or timed out.
    func reply() -> String? {
        var lines: [String] = []
        while let line = line() {
            lines.append(line)
            if line.count < 4 || line[line.index(line.startIndex, offsetBy: 3)] == " " { return lines.joined(separator: "\n") }
        }
        return lines.isEmpty ? nil : lines.joined(separator: "\n")
    }

    /// Sends a line with CRLF and returns the reply.
    func command(_ line: String) -> String? {
        send(line + "\r\n")
        return reply()
    }

    /// Whether the server has closed the connection (reads until EOF or time-out).
    func isClosedByServer() -> Bool {
        var byte: UInt8 = 0
        while true {
            let count = recv(fd, &byte, 1, 0)
            if count == 0 { return true }
            if count < 0 { return false }
        }
    }

    /// Everything the server sends until it closes the connection (or the read times out).
    func readToEnd() -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            pending.append(contentsOf: buffer[0..<count])
        }
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    private func line() -> String? {
        while true {
            if let newline = pending.firstIndex(of: 10) {
                let line = pending[pending.startIndex..<newline]
                pending.removeSubrange(pending.startIndex...newline)
                return String(decoding: line, as: UTF8.self).trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
            }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = recv(fd, &buffer, buffer.count, 0)
            guard count > 0 else { return nil }
            pending.append(contentsOf: buffer[0..<count])
        }
    }
}
