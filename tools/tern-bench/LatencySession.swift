import Foundation

/// One SMTP client session of `tern-bench latency` on a blocking socket: connects,
/// carries transactions one command at a time and times end-of-data → reply.
struct LatencySession {
    /// What every session sends, and where.
    struct Plan: Sendable {
        var host: String
        var port: UInt16
        var sender: String
        var recipient: String
        /// Headers and body, CRLF lines, without the final `.` line.
        var message: [UInt8]
        var messagesPerConnection: Int
    }

    /// Why a session dropped its connection.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The end-of-data → 250 times measured, in nanoseconds.
    private(set) var latencies: [UInt64] = []
    /// Connections dropped after an error or an unexpected reply.
    private(set) var failures = 0
    /// The last of those, described.
    private(set) var lastFailure: String?

    private let plan: Plan
    private var fd: Int32 = -1
    private var buffer: [UInt8] = []

    init(plan: Plan) {
        self.plan = plan
    }

    /// CLOCK_MONOTONIC in nanoseconds.
    static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    /// A message of about `size` bytes: a few headers, then lines of 76 letters.
    static func message(size: Int, sender: String, recipient: String) -> [UInt8] {
        var text = "From: <\(sender)>\r\nTo: <\(recipient)>\r\nSubject: tern-bench latency\r\n\r\n"
        let line = String(repeating: "x", count: 76) + "\r\n"
        while text.utf8.count + line.utf8.count <= size { text += line }
        let rest = size - text.utf8.count
        if rest > 2 { text += String(repeating: "y", count: rest - 2) + "\r\n" }
        return Array(text.utf8)
    }

    /// Sends messages until `end` (monotonic ns), keeping the times of transactions
    /// that end at or after `measureFrom`; reconnects after each failure.
    mutating func run(measureFrom: UInt64, until end: UInt64) {
        while Self.now() < end {
            do {
                try connect()
                try expect(220)
                try send("EHLO latency.bench.test\r\n")
                try expect(250)
                var sent = 0
                while sent < plan.messagesPerConnection, Self.now() < end {
                    try transaction(measureFrom: measureFrom)
                    sent += 1
                }
                try? send("QUIT\r\n")
                _ = try? readReply()
            } catch {
                failures += 1
                lastFailure = "\(error)"
                // Do not spin on a server that refuses at once.
                usleep(10_000)
            }
            disconnect()
        }
    }

    private mutating func transaction(measureFrom: UInt64) throws {
        try send("MAIL FROM:<\(plan.sender)>\r\n")
        try expect(250)
        try send("RCPT TO:<\(plan.recipient)>\r\n")
        try expect(250)
        try send("DATA\r\n")
        try expect(354)
        try write(plan.message)
        let start = Self.now()
        try send(".\r\n")
        try expect(250)
        let done = Self.now()
        if done >= measureFrom { latencies.append(done - start) }
    }

    // MARK: - Socket

    private mutating func connect() throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = plan.port.bigEndian
        guard inet_pton(AF_INET, plan.host, &address.sin_addr) == 1 else {
            throw Failure(description: "not an IPv4 address: \(plan.host)")
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else { throw Failure(description: "connect: errno \(errno)") }
        buffer.removeAll(keepingCapacity: true)
    }

    private mutating func disconnect() {
        if fd >= 0 { close(fd) }
        fd = -1
    }

    private func send(_ text: String) throws {
        try write(Array(text.utf8))
    }

    private func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { throw Failure(description: "write: errno \(errno)") }
            offset += written
        }
    }

    /// Reads one reply (all its lines) and throws unless its code is `code`.
    private mutating func expect(_ code: Int) throws {
        let (got, line) = try readReply()
        guard got == code else { throw Failure(description: "expected \(code), got: \(line)") }
    }

    /// Reads lines until the last line of a reply (`NNN ` rather than `NNN-`); returns its code and text.
    private mutating func readReply() throws -> (Int, String) {
        while true {
            let line = try readLine()
            let bytes = Array(line.utf8)
            guard bytes.count >= 3, let code = Int(String(line.prefix(3))) else {
                throw Failure(description: "malformed reply: \(line)")
            }
            if bytes.count == 3 || bytes[3] != UInt8(ascii: "-") { return (code, line) }
        }
    }

    private mutating func readLine() throws -> String {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                var end = newline
                if end > 0, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let line = String(decoding: buffer[..<end], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw Failure(description: count == 0 ? "connection closed" : "read: errno \(errno)") }
            buffer.append(contentsOf: chunk[..<count])
        }
    }
}
