import Glibc

/// Names the calling thread as `top -H`, `ps -L` and perf show it
/// (Foundation's `Thread.name` does not reach the kernel on Linux).
public func nameCurrentThread(_ name: String) {
    let descriptor = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return }
    _ = name.utf8CString.withUnsafeBufferPointer { write(descriptor, $0.baseAddress, $0.count - 1) }
    close(descriptor)
}
