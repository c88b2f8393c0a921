import Glibc

/// Blocking writes to a file descriptor.
enum DescriptorWrite {
    /// Writes all of `bytes`, retrying after `EINTR`; false on any other
    /// failure, with `errno` saying which.
    static func all(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }
}
