#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
#if FUZZING
import CFuzzer
#endif

/// The `main` of every fuzz target. Built by `tools/fuzz` (with
/// `-sanitize=fuzzer -DFUZZING`) it hands the command line to libFuzzer's
/// driver, which fuzzes `testOneInput`; in a plain `swift build` it replays
/// the files named on the command line through `replay` (see `FuzzReplay`).
///
/// SwiftPM links each executable's `main` to its own entry point, so the
/// targets start libFuzzer through `LLVMFuzzerRunDriver` rather than relying
/// on libFuzzer's `main`.
public enum FuzzMain {
    /// Runs the target and exits with libFuzzer's or the replay's status.
    public static func run(
        _ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32,
        replay: ([UInt8]) -> Void
    ) -> Never {
        #if FUZZING
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
        #else
        exit(FuzzReplay.run(CommandLine.arguments, replay))
        #endif
    }
}
