import Foundation

/// One SMTP client session of `tern-bench latency` on a non-blocking socket, driven by
/// readiness events: it connects, carries transactions one command at a time and times
/// end-of-data → reply. ``LatencyDriver`` polls all sessions on one thread.
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
        /// A server that leaves a command unanswered this long fails the session.
        var replyTimeout: UInt64 = 30_000_000_000
    }

    /// Why a session dropped its connection.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// What the session waits for.
    enum Stage: Equatable {
        /// Not connected; connects at `reconnectAt`.
        case idle
        case connecting
        case greeting
        case ehlo
        case mail
        case recipient
        case data
        /// Writing the message; the final `.` follows once it is all written.
        case body
        case endOfData
        case quit
        /// Stopped for good (the run is over).
        case finished
    }

    private(set) var stage: Stage = .idle
    /// The socket, or -1.
    private(set) var fd: Int32 = -1
    /// When an idle session connects (monotonic ns).
    private(set) var reconnectAt: UInt64
    /// When the reply awaited is overdue (monotonic ns).
    private(set) var deadline: UInt64 = .max
    /// The end-of-data → 250 times measured, in nanoseconds.
    private(set) var latencies: [UInt64] = []
    /// Connections dropped after an error or an unexpected reply.
    private(set) var failures = 0
    /// The last of those, described.
    private(set) var lastFailure: String?

    private let plan: Plan
    private var input: [UInt8] = []
    private var output: [UInt8] = []
    private var written = 0
    private var transactions = 0
    private var endOfDataAt: UInt64 = 0

    init(plan: Plan, startAt: UInt64) {
        self.plan = plan
        reconnectAt = startAt
    }

    /// Whether the session waits for its connection or has bytes it could not write yet (wants `POLLOUT`).
    var wantsToWrite: Bool { stage == .connecting || written < output.count }

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

    /// Starts a non-blocking connection; the caller registers `fd` for events.
    mutating func connect(now: UInt64) {
        do {
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
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
            guard result == 0 || errno == EINPROGRESS else { throw Failure(description: "connect: errno \(errno)") }
            input.removeAll(keepingCapacity: true)
            output.removeAll(keepingCapacity: true)
            written = 0
            transactions = 0
            stage = .connecting
            deadline = now + plan.replyTimeout
        } catch {
            fail(error, now: now)
        }
    }

    /// Handles readiness of the socket at `now` (the time the events were collected).
    mutating func handle(readable: Bool, writable: Bool, now: UInt64, measureFrom: UInt64, end: UInt64) {
        do {
            if stage == .connecting {
                guard writable || readable else { return }
                var error: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
                guard error == 0 else { throw Failure(description: "connect: errno \(error)") }
                stage = .greeting
            }
            if writable { try flush(now: now) }
            if readable { try receive(now: now, measureFrom: measureFrom, end: end) }
        } catch {
            fail(error, now: now)
        }
    }

    /// Fails the session if its reply is overdue.
    mutating func checkDeadline(now: UInt64) {
        if fd >= 0, now >= deadline { fail(Failure(description: "no reply within \(plan.replyTimeout / 1_000_000_000) s"), now: now) }
    }

    /// Closes the connection for good.
    mutating func finish() {
        close()
        stage = .finished
    }

    private mutating func receive(now: UInt64, measureFrom: UInt64, end: UInt64) throws {
        var chunk = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        while true {
            let count = withUnsafeMutableBytes(of: &chunk) { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { break }
            if count == 0 && stage == .quit {
                // The server closed after QUIT without a reply we could read: done all the same.
                close()
                reconnectAt = now
                return
            }
            guard count > 0 else { throw Failure(description: count == 0 ? "connection closed" : "read: errno \(errno)") }
            withUnsafeBytes(of: &chunk) { input.append(contentsOf: $0[..<count]) }
        }
        while let (code, line) = try nextReply() {
            try advance(code: code, line: line, now: now, measureFrom: measureFrom, end: end)
            guard fd >= 0 else { return }
        }
    }

    /// Takes one complete reply (all its lines) from the input; returns its code and last line.
    private mutating func nextReply() throws -> (Int, String)? {
        var start = 0
        while let newline = input[start...].firstIndex(of: UInt8(ascii: "\n")) {
            let line = String(decoding: input[start..<newline], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            start = newline + 1
            let bytes = Array(line.utf8)
            guard bytes.count >= 3, let code = Int(String(line.prefix(3))) else {
                throw Failure(description: "malformed reply: \(line)")
            }
            if bytes.count == 3 || bytes[3] == UInt8(ascii: " ") {
                input.removeFirst(start)
                return (code, line)
            }
        }
        return nil
    }

    private mutating func advance(code: Int, line: String, now: UInt64, measureFrom: UInt64, end: UInt64) throws {
        func expect(_ wanted: Int) throws {
            guard code == wanted else { throw Failure(description: "expected \(wanted), got: \(line)") }
        }
        switch stage {
        case .greeting:
            try expect(220)
            try send("EHLO latency.bench.test\r\n", awaiting: .ehlo, now: now)
        case .ehlo:
            try expect(250)
            try beginTransaction(now: now)
        case .mail:
            try expect(250)
            try send("RCPT TO:<\(plan.recipient)>\r\n", awaiting: .recipient, now: now)
        case .recipient:
            try expect(250)
            try send("DATA\r\n", awaiting: .data, now: now)
        case .data:
            try expect(354)
            try send(plan.message, awaiting: .body, now: now)
        case .endOfData:
            try expect(250)
            if now >= measureFrom { latencies.append(now - endOfDataAt) }
            transactions += 1
            if transactions < plan.messagesPerConnection && now < end {
                try beginTransaction(now: now)
            } else {
                try send("QUIT\r\n", awaiting: .quit, now: now)
            }
        case .quit:
            close()
            reconnectAt = now
        case .idle, .connecting, .body, .finished:
            throw Failure(description: "unexpected reply: \(line)")
        }
    }

    private mutating func beginTransaction(now: UInt64) throws {
        try send("MAIL FROM:<\(plan.sender)>\r\n", awaiting: .mail, now: now)
    }

    private mutating func send(_ text: String, awaiting next: Stage, now: UInt64) throws {
        try send(Array(text.utf8), awaiting: next, now: now)
    }

    private mutating func send(_ bytes: [UInt8], awaiting next: Stage, now: UInt64) throws {
        output = bytes
        written = 0
        stage = next
        deadline = now + plan.replyTimeout
        try flush(now: now)
    }

    /// Writes what the socket takes; once the message is all written, times and writes the final `.`.
    private mutating func flush(now: UInt64) throws {
        while written < output.count {
            let count = output.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return }
            guard count > 0 else { throw Failure(description: "write: errno \(errno)") }
            written += count
        }
        if stage == .body {
            endOfDataAt = Self.now()
            try send(".\r\n", awaiting: .endOfData, now: now)
        }
    }

    private mutating func fail(_ error: any Error, now: UInt64) {
        failures += 1
        lastFailure = "\(error)"
        close()
        // Do not spin on a server that refuses at once.
        reconnectAt = now + 10_000_000
    }

    private mutating func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
        stage = .idle
        deadline = .max
    }
}
