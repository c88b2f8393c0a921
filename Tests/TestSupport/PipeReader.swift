import Foundation

/// Reads a pipe to its end on a thread of its own, so a chatty child never
/// blocks on a full pipe while the test waits for it.
///
/// `@unchecked Sendable`: `data` is written by the reader thread before it
/// signals `done`, and read only after waiting for `done`.
public final class PipeReader: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    public init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    /// Everything read, once the pipe reached its end.
    public func wait() -> Data {
        done.wait()
        return data
    }
}
