#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The `main` of a fuzz target built without libFuzzer (a normal
/// `swift build`): runs the target's one-input function over every file
/// named on the command line, so a corpus or a crashing input can be
/// replayed under the debugger. With `-sanitize=fuzzer` libFuzzer supplies
/// `main` instead and calls `LLVMFuzzerTestOneInput` itself.
public enum FuzzReplay {
    /// Feeds each file in `arguments` (after the program name) to `body`;
    /// returns the process exit status (1 when a file cannot be read).
    public static func run(_ arguments: [String], _ body: ([UInt8]) -> Void) -> Int32 {
        var status: Int32 = 0
        for path in arguments.dropFirst() {
            guard let bytes = readFile(path) else {
                print("cannot read \(path)")
                status = 1
                continue
            }
            body(bytes)
            print("ok \(path) (\(bytes.count) bytes)")
        }
        return status
    }

    private static func readFile(_ path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
        }
    }
}
