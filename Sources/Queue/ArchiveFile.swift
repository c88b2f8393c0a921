import Foundation

/// A file descriptor for reading or writing an archive, with full writes and
/// reads that retry on `EINTR`.
struct ArchiveFile {
    let descriptor: Int32
    private let owned: Bool

    init(descriptor: Int32) {
        self.descriptor = descriptor
        owned = false
    }

    init(reading path: String) throws(QueueArchiveError) {
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Self.error("open \(path)") }
        owned = true
    }

    init(creating path: String) throws(QueueArchiveError) {
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Self.error("create \(path)") }
        owned = true
    }

    static func error(_ operation: String) -> QueueArchiveError {
        QueueArchiveError(.io, "\(operation): \(String(cString: strerror(errno)))")
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws(QueueArchiveError) {
        var offset = 0
        while offset < bytes.count {
            let count = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw Self.error("write") }
            offset += count
        }
    }

    /// Up to `maximum` bytes; empty at the end of the file.
    func read(maximum: Int) throws(QueueArchiveError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: maximum)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress!, maximum) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw Self.error("read") }
            buffer.removeLast(maximum - count)
            return buffer
        }
    }

    func sync() throws(QueueArchiveError) {
        guard fsync(descriptor) == 0 else { throw Self.error("fsync") }
    }

    func close() {
        if owned { Glibc.close(descriptor) }
    }
}
