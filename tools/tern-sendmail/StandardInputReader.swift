import Foundation

/// Buffered, blocking reads from standard input: lines (LF or CRLF, the
/// ending removed) and exact byte counts.
struct StandardInputReader {
    private var buffer: [UInt8] = []
    private var ended = false

    /// The next line without its ending; nil at end of input.
    mutating func line() -> [UInt8]? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                return line
            }
            guard fill() else {
                guard !buffer.isEmpty else { return nil }
                defer { buffer = [] }
                return buffer
            }
        }
    }

    /// Exactly `count` bytes; nil when input ends first.
    mutating func bytes(_ count: Int) -> [UInt8]? {
        while buffer.count < count {
            guard fill() else { return nil }
        }
        defer { buffer.removeFirst(count) }
        return Array(buffer[..<count])
    }

    private mutating func fill() -> Bool {
        guard !ended else { return false }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                ended = true
                return false
            }
            buffer += chunk[..<count]
            return true
        }
    }
}
