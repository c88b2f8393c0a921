import Foundation
import NIOCore

/// A message's bytes as received, in memory or in a spill file.
public enum SpooledBody: Sendable {
    case memory([UInt8])
    /// A temporary file that the receiver of the message removes when done.
    case file(path: String, size: Int)

    public var size: Int {
        switch self {
        case .memory(let bytes): bytes.count
        case .file(_, let size): size
        }
    }
}

/// Collects a message while it arrives: in memory up to `memoryLimit`
/// octets, then in a temporary file under `directory`, so that large bodies
/// are never held whole in memory. Spill files are not durable state: the
/// daemon removes leftovers at start.
public struct MessageSpool {
    public let memoryLimit: Int
    public let directory: String
    private var memory: [UInt8] = []
    private var file: (descriptor: Int32, path: String)?
    /// Octets written so far.
    public private(set) var size = 0
    /// The first write failure, if any; later writes are dropped.
    public private(set) var failure: String?
    /// Whether that failure was the disk being full (`ENOSPC`, `EDQUOT`):
    /// ingress then answers `452 4.3.1` rather than `451 4.3.0`.
    public private(set) var failedForSpace = false

    public init(directory: String, memoryLimit: Int = 512 * 1024) {
        self.directory = directory
        self.memoryLimit = memoryLimit
    }

    /// Appends bytes; counts but drops them beyond `maxSize`.
    public mutating func write(_ buffer: ByteBuffer, maxSize: Int) {
        let incoming = buffer.readableBytes
        defer { size += incoming }
        guard failure == nil, size + incoming <= maxSize else { return }
        if file == nil && memory.count + incoming <= memoryLimit {
            memory.append(contentsOf: buffer.readableBytesView)
            return
        }
        if file == nil { spill() }
        guard let file else { return }
        buffer.withUnsafeReadableBytes { writeAll(file.descriptor, $0) }
    }

    /// Appends bytes of our own, such as the Received header, without a size limit.
    public mutating func write(bytes: [UInt8]) {
        write(ByteBuffer(bytes: bytes), maxSize: .max)
    }

    /// Ends the spool, handing over the body; the spool is empty afterwards.
    public mutating func finish() -> SpooledBody? {
        defer { reset(removeFile: false) }
        guard failure == nil else {
            discard()
            return nil
        }
        if let file {
            close(file.descriptor)
            return .file(path: file.path, size: size)
        }
        return .memory(memory)
    }

    /// Throws the contents away, removing any spill file.
    public mutating func discard() {
        reset(removeFile: true)
    }

    private mutating func reset(removeFile: Bool) {
        if let file, removeFile {
            close(file.descriptor)
            unlink(file.path)
        }
        file = nil
        memory = []
        size = 0
        failure = nil
        failedForSpace = false
    }

    private mutating func spill() {
        var template = Array("\(directory)/spool-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            fail("cannot create a spill file in \(directory)")
            return
        }
        let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        file = (descriptor, path)
        memory.withUnsafeBytes { writeAll(descriptor, $0) }
        memory = []
    }

    private mutating func fail(_ what: String) {
        failure = "\(what): \(String(cString: strerror(errno)))"
        failedForSpace = errno == ENOSPC || errno == EDQUOT
    }

    private mutating func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                fail("cannot write spill file")
                return
            }
            offset += written
        }
    }
}
